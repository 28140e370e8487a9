// swift-kmip: KMIPServer
//
// Get in another Key Format Type, and Get with a Key Wrapping Specification (Key Wrapping Data and
// Key Wrapping Specification, 1.x and 2.x §2.1.5-2.1.6): wrapping method Encrypt with an AES key
// (NIST Key Wrap, RFC 3394) or an RSA public key (OAEP).

import KMIP

extension KMIPServerEngine {
    /// `object` with its key block replaced.
    static func replacingKeyBlock(_ object: ManagedObject, _ block: KeyBlock) -> ManagedObject {
        switch object {
        case .symmetricKey(var key): key.keyBlock = block; return .symmetricKey(key)
        case .privateKey(var key): key.keyBlock = block; return .privateKey(key)
        case .publicKey(var key): key.keyBlock = block; return .publicKey(key)
        case .secretData(var secret): secret.keyBlock = block; return .secretData(secret)
        case .splitKey(var key): key.keyBlock = block; return .splitKey(key)
        case .pgpKey(var key): key.keyBlock = block; return .pgpKey(key)
        default: return object
        }
    }

    /// The formats a symmetric key is converted between.
    static let symmetricFormats: Set<KeyFormatType> = [.raw, .transparentSymmetricKey]
    /// The formats an RSA private key and an RSA public key are converted between.
    static let rsaPrivateFormats: Set<KeyFormatType> = [.pkcs1, .pkcs8]
    static let rsaPublicFormats: Set<KeyFormatType> = [.pkcs1, .x509]

    /// `object` in Key Format Type `format`: a symmetric key's Raw bytes and its Transparent
    /// Symmetric Key convert into each other, an RSA private key between PKCS#1 and PKCS#8, an
    /// RSA public key between PKCS#1 and X.509; anything else is Key Format Type Not Supported.
    func converted(_ object: ManagedObject, to format: KeyFormatType, id: String) throws -> ManagedObject {
        guard var block = object.keyBlock else {
            throw OperationFailure(.keyFormatTypeNotSupported, "object \(id) is a \(object.objectType), which has no Key Format Type")
        }
        guard format != block.keyFormatType else { return object }
        let unsupported = OperationFailure(
            .keyFormatTypeNotSupported,
            "object \(id) is held as \(block.keyFormatType); conversion to \(format) is not supported (symmetric keys convert between Raw and Transparent Symmetric Key, RSA private keys between PKCS#1 and PKCS#8, RSA public keys between PKCS#1 and X.509)")
        guard case .plain(_, let bound)? = block.keyValue, let bytes = block.keyBytes else { throw unsupported }
        let rsa = block.cryptographicAlgorithm == .rsa
        switch object.objectType {
        case .symmetricKey where Self.symmetricFormats.contains(format) && Self.symmetricFormats.contains(block.keyFormatType):
            block.keyValue = .plain(format == .raw ? .bytes(bytes) : .transparentSymmetricKey(TransparentSymmetricKey(key: bytes)), attributes: bound)
        case .privateKey where rsa && Self.rsaPrivateFormats.contains(format) && Self.rsaPrivateFormats.contains(block.keyFormatType):
            block.keyValue = .plain(.bytes(try cryptography.reencodeRSAKey(bytes, isPrivate: true, as: format)), attributes: bound)
        case .publicKey where rsa && Self.rsaPublicFormats.contains(format) && Self.rsaPublicFormats.contains(block.keyFormatType):
            block.keyValue = .plain(.bytes(try cryptography.reencodeRSAKey(bytes, isPrivate: false, as: format)), attributes: bound)
        default:
            throw unsupported
        }
        block.keyFormatType = format
        return Self.replacingKeyBlock(object, block)
    }

    /// `object`'s key block wrapped as `specification` says: Encrypt with an Active AES key (NIST
    /// Key Wrap, RFC 3394) or RSA public key (OAEP) the requester may Get (Cryptographic Usage
    /// Mask Wrap Key, when it has one), of the TTLV-encoded Key Value, or of the key bytes alone
    /// with No Encoding.
    func wrapped(_ object: ManagedObject, _ specification: KeyWrappingSpecification, id: String, context: RequestContext) async throws -> ManagedObject {
        guard specification.wrappingMethod == .encrypt else {
            throw OperationFailure(.featureNotSupported, "keys are wrapped with the Encrypt wrapping method only, not \(specification.wrappingMethod)")
        }
        guard specification.macSignatureKeyInformation == nil, specification.attributeNames.isEmpty else {
            throw OperationFailure(.featureNotSupported, "wrapping with a MAC or signature key, or with attributes, is not supported")
        }
        guard let information = specification.encryptionKeyInformation else {
            throw OperationFailure(.invalidField, "the Key Wrapping Specification needs Encryption Key Information")
        }
        guard var block = object.keyBlock, case .plain? = block.keyValue else {
            throw OperationFailure(.invalidObjectType, "object \(id) is a \(object.objectType) without a key value to wrap")
        }
        var use = context
        use.operation = .get
        let wrapping: StoredObject
        do {
            wrapping = try await owned(information.uniqueIdentifier, use)
        } catch let failure as OperationFailure where failure.reason == .itemNotFound || failure.reason == .objectNotFound {
            throw OperationFailure(context.version.major >= 2 ? .wrappingObjectNotFound : .itemNotFound, "the wrapping key: \(failure.message)")
        }
        guard let wrappingBlock = wrapping.object?.keyBlock else {
            throw OperationFailure(context.version.major >= 2 ? .wrappingObjectDestroyed : .permissionDenied, "the wrapping key \(wrapping.id) was destroyed")
        }
        let wrappingAlgorithm = wrappingBlock.cryptographicAlgorithm ?? wrapping.attributes.cryptographicAlgorithm
        let aes = wrapping.objectType == .symmetricKey && wrappingAlgorithm == .aes
        let rsa = wrapping.objectType == .publicKey && wrappingAlgorithm == .rsa
        guard aes || rsa, let kek = wrappingBlock.keyBytes, !aes || [16, 24, 32].contains(kek.count) else {
            throw OperationFailure(.invalidField, "the wrapping key \(wrapping.id) is not an AES key or an RSA public key")
        }
        guard wrapping.attributes.state == .active else {
            throw OperationFailure(wrongState(context), "the wrapping key \(wrapping.id) is not Active")
        }
        if let mask = wrapping.attributes.cryptographicUsageMask, !mask.contains(.wrapKey) {
            throw OperationFailure(
                context.version.major >= 2 ? .incompatibleCryptographicUsageMask : .permissionDenied,
                "the wrapping key \(wrapping.id)'s Cryptographic Usage Mask does not allow Wrap Key")
        }
        let parameters = information.cryptographicParameters ?? wrapping.attributes.cryptographicParameters.first
        if aes {
            let mode = parameters?.blockCipherMode ?? .nistKeyWrap
            guard mode == .nistKeyWrap else {
                throw OperationFailure(.featureNotSupported, "AES keys wrap with NIST Key Wrap (RFC 3394) only, not \(mode)")
            }
        } else {
            let padding = parameters?.paddingMethod ?? .oaep
            guard padding == .oaep else {
                throw OperationFailure(.featureNotSupported, "RSA public keys wrap with OAEP only, not \(padding)")
            }
        }
        let plaintext: [UInt8]
        switch specification.encodingOption ?? .ttlvEncoding {
        case .noEncoding:
            guard let bytes = block.keyBytes else {
                throw OperationFailure(.invalidField, "object \(id)'s key material is a structure; wrap it with TTLV Encoding")
            }
            plaintext = bytes
        case .ttlvEncoding:
            plaintext = try TTLVEncoder().encode(try block.keyValue!.kmipItem(tag: .keyValue, context: KMIPEncodingContext(version: context.version)))
        case let other:
            throw OperationFailure(.encodingOptionError, "Encoding Option \(other.rawValue) is not supported")
        }
        if aes {
            guard plaintext.count >= 16, plaintext.count % 8 == 0 else {
                throw OperationFailure(.cryptographicFailure, "NIST Key Wrap needs at least 16 bytes in multiples of 8; object \(id)'s are \(plaintext.count)")
            }
            block.keyValue = .wrapped(try cryptography.wrapKey(plaintext, with: kek))
        } else {
            // RSA-OAEP with the parameters' hash (SHA-1 by default, as for Encrypt).
            let result = try cryptography.encrypt(CipherRequest(
                key: kek, algorithm: .rsa, mode: nil, padding: .oaep, data: plaintext, iv: nil, additionalData: nil, tag: nil, tagLength: 16,
                hashing: parameters?.hashingAlgorithm, maskHashing: parameters?.maskGeneratorHashingAlgorithm))
            block.keyValue = .wrapped(result.data)
        }
        block.keyWrappingData = KeyWrappingData(wrappingMethod: .encrypt, encryptionKeyInformation: information, encodingOption: specification.encodingOption)
        return Self.replacingKeyBlock(object, block)
    }
}
