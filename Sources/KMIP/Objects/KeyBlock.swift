// swift-kmip: KMIP
//
// Key Block, Key Value and Key Material (1.x §2.1.3, §2.1.4, §2.1.7; 2.x §3.x): the container of
// every key and secret. Key Material is a Byte String or a transparent structure depending on the
// Key Format Type, so it is decoded here by hand.

/// The key material and metadata of a key or secret (Key Block).
public struct KeyBlock: Hashable, Sendable {
    /// Key Format Type: how the Key Material is encoded.
    public var keyFormatType: KeyFormatType
    /// Key Compression Type (elliptic curve public keys).
    public var keyCompressionType: KeyCompressionType?
    /// Key Value: the material in clear, or wrapped. Absent when the server only returns metadata.
    public var keyValue: KeyValue?
    /// Cryptographic Algorithm.
    public var cryptographicAlgorithm: CryptographicAlgorithm?
    /// Cryptographic Length in bits.
    public var cryptographicLength: Int32?
    /// Key Wrapping Data, present when the Key Value is wrapped.
    public var keyWrappingData: KeyWrappingData?

    /// Creates a key block.
    public init(
        keyFormatType: KeyFormatType, keyCompressionType: KeyCompressionType? = nil, keyValue: KeyValue?,
        cryptographicAlgorithm: CryptographicAlgorithm? = nil, cryptographicLength: Int32? = nil,
        keyWrappingData: KeyWrappingData? = nil
    ) {
        self.keyFormatType = keyFormatType
        self.keyCompressionType = keyCompressionType
        self.keyValue = keyValue
        self.cryptographicAlgorithm = cryptographicAlgorithm
        self.cryptographicLength = cryptographicLength
        self.keyWrappingData = keyWrappingData
    }

    /// A block of raw key bytes (Key Format Type Raw), e.g. an AES key.
    public static func raw(
        _ bytes: [UInt8], algorithm: CryptographicAlgorithm, length: Int32? = nil
    ) -> KeyBlock {
        KeyBlock(
            keyFormatType: .raw, keyValue: .plain(KeyMaterial.bytes(bytes)), cryptographicAlgorithm: algorithm,
            cryptographicLength: length ?? Int32(bytes.count * 8))
    }

    /// The key bytes of an unwrapped Byte String key material (Raw, Opaque, PKCS#1, PKCS#8, ...)
    /// or of a Transparent Symmetric Key; `nil` otherwise.
    public var keyBytes: [UInt8]? {
        guard case .plain(let material, _) = keyValue else { return nil }
        switch material {
        case .bytes(let bytes): return bytes
        case .transparentSymmetricKey(let key): return key.key
        default: return nil
        }
    }
}

extension KeyBlock: KMIPCodable, KMIPSensitive {
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        keyFormatType = try reader.decode(.keyFormatType)
        keyCompressionType = try reader.decodeIfPresent(.keyCompressionType)
        if let valueItem = reader.nextItem(.keyValue) {
            do {
                keyValue = try KeyValue(kmipItem: valueItem, keyFormatType: keyFormatType, context: context)
            } catch let error as KMIPError {
                throw error.prefixed(by: .keyValue)
            }
        }
        cryptographicAlgorithm = try reader.decodeIfPresent(.cryptographicAlgorithm)
        cryptographicLength = try reader.decodeIfPresent(.cryptographicLength)
        keyWrappingData = try reader.decodeIfPresent(.keyWrappingData)
        try reader.finish()
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        var writer = KMIPStructureWriter("Key Block", context: context, capacity: 6)
        try writer.encode(keyFormatType, .keyFormatType)
        try writer.encode(keyCompressionType, .keyCompressionType)
        try writer.encode(keyValue, .keyValue)
        try writer.encode(cryptographicAlgorithm, .cryptographicAlgorithm)
        try writer.encode(cryptographicLength, .cryptographicLength)
        try writer.encode(keyWrappingData, .keyWrappingData)
        return writer.item(tag: tag)
    }
}

/// The Key Value of a key block: the key material in clear (with attributes bound to it), or the
/// wrapped (encrypted) key value.
public enum KeyValue: Hashable, Sendable {
    /// Key Material in clear, with optional attributes bound to the key.
    case plain(KeyMaterial, attributes: Attributes? = nil)
    /// A wrapped Key Value (Byte String), decrypted with the key of the Key Wrapping Data.
    case wrapped([UInt8])

    /// Reads a Key Value whose Key Material has the shape `keyFormatType` gives.
    init(kmipItem item: KMIPItem, keyFormatType: KeyFormatType, context: KMIPDecodingContext) throws {
        switch item.value {
        case .byteString(let bytes):
            self = .wrapped(bytes)
        case .structure:
            var reader = try KMIPStructureReader(item, context: context)
            guard let materialItem = reader.nextItem(.keyMaterial) else { throw reader.missing(.keyMaterial) }
            let material: KeyMaterial
            do {
                material = try KeyMaterial(kmipItem: materialItem, keyFormatType: keyFormatType, context: context)
            } catch let error as KMIPError {
                throw error.prefixed(by: .keyMaterial)
            }
            var attributes: Attributes?
            if let form = try reader.decodeIfPresent(.attributes, as: AttributesForm.self) { attributes = form.value }
            let list: [Attribute] = try reader.decodeRepeated(.attribute)
            if !list.isEmpty { attributes = Attributes(list) }
            try reader.finish()
            self = .plain(material, attributes: attributes)
        default:
            throw KMIPError(.invalidValue, "Key Value must be a Byte String (wrapped) or a Structure, found \(item.itemType)")
        }
    }
}

extension KeyValue: KMIPCodable, KMIPSensitive {
    /// Reads a Key Value without knowing its Key Format Type (transparent material stays a raw
    /// structure); ``KeyBlock`` decodes it with the format.
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        try self.init(kmipItem: item, keyFormatType: .raw, context: context)
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        switch self {
        case .wrapped(let bytes):
            return KMIPItem(tag, .byteString(bytes))
        case .plain(let material, let attributes):
            var writer = KMIPStructureWriter("Key Value", context: context, capacity: 2)
            try writer.encode(material, .keyMaterial)
            if let attributes {
                if context.isVersion2 {
                    try writer.encode(AttributesForm(attributes), .attributes)
                } else {
                    try writer.encode(attributes.list, .attribute)
                }
            }
            return writer.item(tag: tag)
        }
    }
}

/// Key Material: bytes for the Raw, Opaque, PKCS#1, PKCS#8, X.509, EC Private Key and similar
/// formats, or a transparent structure for the Transparent formats.
///
/// Its description never shows the key: `KeyMaterial(32 bytes)`.
public enum KeyMaterial: Hashable, Sendable {
    /// A Byte String key material.
    case bytes([UInt8])
    /// Transparent Symmetric Key.
    case transparentSymmetricKey(TransparentSymmetricKey)
    /// Transparent DSA Private Key.
    case transparentDSAPrivateKey(TransparentDSAPrivateKey)
    /// Transparent DSA Public Key.
    case transparentDSAPublicKey(TransparentDSAPublicKey)
    /// Transparent RSA Private Key.
    case transparentRSAPrivateKey(TransparentRSAPrivateKey)
    /// Transparent RSA Public Key.
    case transparentRSAPublicKey(TransparentRSAPublicKey)
    /// Transparent DH Private Key.
    case transparentDHPrivateKey(TransparentDHPrivateKey)
    /// Transparent DH Public Key.
    case transparentDHPublicKey(TransparentDHPublicKey)
    /// Transparent ECDSA Private Key (KMIP 1.x).
    case transparentECDSAPrivateKey(TransparentECDSAPrivateKey)
    /// Transparent ECDSA Public Key (KMIP 1.x).
    case transparentECDSAPublicKey(TransparentECDSAPublicKey)
    /// Transparent ECDH Private Key (KMIP 1.x).
    case transparentECDHPrivateKey(TransparentECDHPrivateKey)
    /// Transparent ECDH Public Key (KMIP 1.x).
    case transparentECDHPublicKey(TransparentECDHPublicKey)
    /// Transparent ECMQV Private Key (KMIP 1.x).
    case transparentECMQVPrivateKey(TransparentECMQVPrivateKey)
    /// Transparent ECMQV Public Key (KMIP 1.x).
    case transparentECMQVPublicKey(TransparentECMQVPublicKey)
    /// Transparent EC Private Key (KMIP 1.3+).
    case transparentECPrivateKey(TransparentECPrivateKey)
    /// Transparent EC Public Key (KMIP 1.3+).
    case transparentECPublicKey(TransparentECPublicKey)
    /// A structure of a format this library does not model (an extension format).
    case structure(KMIPItem)

    init(kmipItem item: KMIPItem, keyFormatType: KeyFormatType, context: KMIPDecodingContext) throws {
        if case .byteString(let bytes) = item.value {
            self = .bytes(bytes)
            return
        }
        switch keyFormatType {
        case .transparentSymmetricKey: self = .transparentSymmetricKey(try .init(kmipItem: item, context: context))
        case .transparentDSAPrivateKey: self = .transparentDSAPrivateKey(try .init(kmipItem: item, context: context))
        case .transparentDSAPublicKey: self = .transparentDSAPublicKey(try .init(kmipItem: item, context: context))
        case .transparentRSAPrivateKey: self = .transparentRSAPrivateKey(try .init(kmipItem: item, context: context))
        case .transparentRSAPublicKey: self = .transparentRSAPublicKey(try .init(kmipItem: item, context: context))
        case .transparentDHPrivateKey: self = .transparentDHPrivateKey(try .init(kmipItem: item, context: context))
        case .transparentDHPublicKey: self = .transparentDHPublicKey(try .init(kmipItem: item, context: context))
        case .transparentECDSAPrivateKey: self = .transparentECDSAPrivateKey(try .init(kmipItem: item, context: context))
        case .transparentECDSAPublicKey: self = .transparentECDSAPublicKey(try .init(kmipItem: item, context: context))
        case .transparentECDHPrivateKey: self = .transparentECDHPrivateKey(try .init(kmipItem: item, context: context))
        case .transparentECDHPublicKey: self = .transparentECDHPublicKey(try .init(kmipItem: item, context: context))
        case .transparentECMQVPrivateKey: self = .transparentECMQVPrivateKey(try .init(kmipItem: item, context: context))
        case .transparentECMQVPublicKey: self = .transparentECMQVPublicKey(try .init(kmipItem: item, context: context))
        case .transparentECPrivateKey: self = .transparentECPrivateKey(try .init(kmipItem: item, context: context))
        case .transparentECPublicKey: self = .transparentECPublicKey(try .init(kmipItem: item, context: context))
        default: self = .structure(item)
        }
    }
}

extension KeyMaterial: KMIPCodable, KMIPSensitive {
    /// Reads key material without its Key Format Type: bytes, or a raw structure.
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        try self.init(kmipItem: item, keyFormatType: .raw, context: context)
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        switch self {
        case .bytes(let bytes): KMIPItem(tag, .byteString(bytes))
        case .transparentSymmetricKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentDSAPrivateKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentDSAPublicKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentRSAPrivateKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentRSAPublicKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentDHPrivateKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentDHPublicKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentECDSAPrivateKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentECDSAPublicKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentECDHPrivateKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentECDHPublicKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentECMQVPrivateKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentECMQVPublicKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentECPrivateKey(let key): try key.kmipItem(tag: tag, context: context)
        case .transparentECPublicKey(let key): try key.kmipItem(tag: tag, context: context)
        case .structure(let item): KMIPItem(tag, item.value)
        }
    }
}
