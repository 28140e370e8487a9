// swift-kmip: KMIP
//
// The managed objects (1.x §2.2; 2.x §2): the choice of object a Register, Get, Put, Export or
// Import payload carries, picked by the object's tag.

/// A managed object of any type.
public indirect enum ManagedObject: Hashable, Sendable {
    /// A certificate (X.509 or PGP in 1.x).
    case certificate(Certificate)
    /// A certificate request (KMIP 2.0+; 1.x sends it as bytes in Certify).
    case certificateRequest(CertificateRequest)
    /// A symmetric key.
    case symmetricKey(SymmetricKey)
    /// The public part of an asymmetric key pair.
    case publicKey(PublicKey)
    /// The private part of an asymmetric key pair.
    case privateKey(PrivateKey)
    /// A share of a split key.
    case splitKey(SplitKey)
    /// A template of attributes (KMIP 1.0–1.4; deprecated in 1.3).
    case template(Template)
    /// A secret: a password, a seed, or other data.
    case secretData(SecretData)
    /// An object the server does not interpret.
    case opaqueObject(OpaqueObject)
    /// A PGP key (KMIP 1.2+).
    case pgpKey(PGPKey)

    /// The tags of every managed object.
    public static let tags: Set<Tag> = [
        .certificate, .certificateRequest, .symmetricKey, .publicKey, .privateKey, .splitKey, .template, .secretData,
        .opaqueObject, .pgpKey,
    ]

    /// The tag the object is written with.
    public var tag: Tag {
        switch self {
        case .certificate: .certificate
        case .certificateRequest: .certificateRequest
        case .symmetricKey: .symmetricKey
        case .publicKey: .publicKey
        case .privateKey: .privateKey
        case .splitKey: .splitKey
        case .template: .template
        case .secretData: .secretData
        case .opaqueObject: .opaqueObject
        case .pgpKey: .pgpKey
        }
    }

    /// The Object Type that goes with the object.
    public var objectType: ObjectType {
        switch self {
        case .certificate: .certificate
        case .certificateRequest: .certificateRequest
        case .symmetricKey: .symmetricKey
        case .publicKey: .publicKey
        case .privateKey: .privateKey
        case .splitKey: .splitKey
        case .template: .template
        case .secretData: .secretData
        case .opaqueObject: .opaqueObject
        case .pgpKey: .pgpKey
        }
    }

    /// The key block of a key, secret or split key; `nil` for certificates, templates and opaque objects.
    public var keyBlock: KeyBlock? {
        switch self {
        case .symmetricKey(let object): object.keyBlock
        case .publicKey(let object): object.keyBlock
        case .privateKey(let object): object.keyBlock
        case .splitKey(let object): object.keyBlock
        case .secretData(let object): object.keyBlock
        case .pgpKey(let object): object.keyBlock
        default: nil
        }
    }

    /// The versions that define the object type.
    var versions: KMIPVersionSet {
        switch self {
        case .template: KMIPVersionSet(rawValue: 0x1F)
        case .pgpKey: KMIPVersionSet(rawValue: 0x7C)
        case .certificateRequest: KMIPVersionSet(rawValue: 0x60)
        default: .all
        }
    }
}

extension ManagedObject: KMIPCodable, KMIPSensitive {
    /// Reads the object its tag names.
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        switch item.tag {
        case .certificate: self = .certificate(try .init(kmipItem: item, context: context))
        case .certificateRequest: self = .certificateRequest(try .init(kmipItem: item, context: context))
        case .symmetricKey: self = .symmetricKey(try .init(kmipItem: item, context: context))
        case .publicKey: self = .publicKey(try .init(kmipItem: item, context: context))
        case .privateKey: self = .privateKey(try .init(kmipItem: item, context: context))
        case .splitKey: self = .splitKey(try .init(kmipItem: item, context: context))
        case .template: self = .template(try .init(kmipItem: item, context: context))
        case .secretData: self = .secretData(try .init(kmipItem: item, context: context))
        case .opaqueObject: self = .opaqueObject(try .init(kmipItem: item, context: context))
        case .pgpKey: self = .pgpKey(try .init(kmipItem: item, context: context))
        default: throw KMIPError(.unexpectedItem, "\(tagName(item.tag)) is not a managed object")
        }
    }

    /// Writes the object with its own tag (the `tag` argument is ignored).
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        guard versions.contains(context.version) else {
            throw KMIPError(
                .unsupportedInVersion, "\(tagName(self.tag)) objects do not exist in KMIP \(context.version) (defined in \(versions))")
        }
        return switch self {
        case .certificate(let object): try object.kmipItem(tag: .certificate, context: context)
        case .certificateRequest(let object): try object.kmipItem(tag: .certificateRequest, context: context)
        case .symmetricKey(let object): try object.kmipItem(tag: .symmetricKey, context: context)
        case .publicKey(let object): try object.kmipItem(tag: .publicKey, context: context)
        case .privateKey(let object): try object.kmipItem(tag: .privateKey, context: context)
        case .splitKey(let object): try object.kmipItem(tag: .splitKey, context: context)
        case .template(let object): try object.kmipItem(tag: .template, context: context)
        case .secretData(let object): try object.kmipItem(tag: .secretData, context: context)
        case .opaqueObject(let object): try object.kmipItem(tag: .opaqueObject, context: context)
        case .pgpKey(let object): try object.kmipItem(tag: .pgpKey, context: context)
        }
    }
}

extension KMIPStructureReader {
    /// Reads the next child when it is a managed object.
    public mutating func decodeManagedObject() throws -> ManagedObject? {
        guard let item = nextItem(where: { ManagedObject.tags.contains($0) }) else { return nil }
        do {
            return try ManagedObject(kmipItem: item, context: decodingContext)
        } catch let error as KMIPError {
            throw error.prefixed(by: item.tag)
        }
    }
}

extension KMIPStructureWriter {
    /// Writes a managed object field.
    public mutating func encodeManagedObject(_ object: ManagedObject?, versions: KMIPVersionSet, required: KMIPVersionSet) throws {
        guard let object else {
            if required.contains(context.version) { throw missing(.symmetricKey) }
            return
        }
        if !versions.contains(context.version) { throw unsupported(object.tag, versions) }
        try encode(object, object.tag)
    }

    /// Writes one of several wire forms of a property: nothing when `versions` does not contain
    /// the version in use (another form covers it).
    @inlinable
    public mutating func encodeForm<T: KMIPCodable>(
        _ value: T?, _ tag: Tag, versions: KMIPVersionSet, required: KMIPVersionSet = []
    ) throws {
        guard versions.contains(context.version) else { return }
        try encode(value, tag, versions: versions, required: required)
    }

    /// Writes one of several wire forms of a repeatable property.
    @inlinable
    public mutating func encodeForm<T: KMIPCodable>(
        _ values: [T], _ tag: Tag, versions: KMIPVersionSet, required: KMIPVersionSet = []
    ) throws {
        guard versions.contains(context.version) else { return }
        try encode(values, tag, versions: versions, required: required)
    }
}
