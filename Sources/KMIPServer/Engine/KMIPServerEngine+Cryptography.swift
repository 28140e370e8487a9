// swift-kmip: KMIPServer
//
// The Basic Cryptographic operations: Encrypt, Decrypt, MAC, Hash, RNG Retrieve. Encrypt, MAC and
// Sign (the operations that apply protection) count down a key's Usage Limits.

import KMIP

extension KMIPServerEngine {
    /// What an operation does with a key: protect (Encrypt, MAC, Sign) needs an Active key;
    /// process (Decrypt, Verify) also takes a Deactivated or Compromised one (1.x §3.22, 2.x §4.57).
    enum KeyUse {
        case protect
        case process
    }

    /// The bytes and attributes of a key the requester may use for `usage`.
    func usableKey(_ id: UniqueIdentifier?, _ context: RequestContext, usage: CryptographicUsageMask, _ use: KeyUse) async throws -> (StoredObject, KeyBlock, [UInt8]) {
        let stored = try await owned(id, context)
        guard let block = stored.object?.keyBlock else {
            throw OperationFailure(stored.object == nil ? .objectDestroyed : .invalidObjectType, "object \(stored.id) is not a key that can be used")
        }
        guard let bytes = block.keyBytes else {
            throw OperationFailure(.keyFormatTypeNotSupported, "object \(stored.id) holds its key as \(block.keyFormatType), which cannot be used here")
        }
        let state = stored.attributes.state ?? .preActive
        let allowed: Set<State> = use == .protect ? [.active] : [.active, .deactivated, .compromised]
        guard allowed.contains(state) else {
            throw OperationFailure(wrongState(context), "object \(stored.id) is \(state); \(context.operation) needs it \(use == .protect ? "Active" : "Active, Deactivated or Compromised")")
        }
        if let mask = stored.attributes.cryptographicUsageMask, !mask.contains(usage) {
            throw OperationFailure(context.version.major >= 2 ? .incompatibleCryptographicUsageMask : .permissionDenied, "object \(stored.id)'s Cryptographic Usage Mask does not allow \(context.operation)")
        }
        return (stored, block, bytes)
    }

    /// The Cryptographic Parameters of a request, else the key's first.
    func parameters(_ given: CryptographicParameters?, _ stored: StoredObject) -> CryptographicParameters? {
        given ?? stored.attributes.cryptographicParameters.first
    }

    /// The cipher inputs of an Encrypt or Decrypt: the request's parameters, else the key's.
    func cipherRequest(
        _ stored: StoredObject, _ block: KeyBlock, key: [UInt8], parameters given: CryptographicParameters?, data: [UInt8]?, iv: [UInt8]?,
        additionalData: [UInt8]?, tag: [UInt8]?
    ) -> CipherRequest {
        let parameters = parameters(given, stored)
        return CipherRequest(
            key: key, algorithm: parameters?.cryptographicAlgorithm ?? block.cryptographicAlgorithm ?? stored.attributes.cryptographicAlgorithm ?? .aes,
            mode: parameters?.blockCipherMode, padding: parameters?.paddingMethod, data: data ?? [], iv: iv, additionalData: additionalData,
            tag: tag, tagLength: Int(parameters?.tagLength ?? 16), hashing: parameters?.hashingAlgorithm,
            maskHashing: parameters?.maskGeneratorHashingAlgorithm)
    }

    func encrypt(_ request: EncryptRequest, context: RequestContext) async throws -> EncryptResponse {
        let (stored, block, key) = try await usableKey(request.uniqueIdentifier, context, usage: .encrypt, .protect)
        let size = request.data?.count ?? 0
        try checkUsageLimits(stored, bytes: size, context: context)
        let result = try cryptography.encrypt(cipherRequest(
            stored, block, key: key, parameters: request.cryptographicParameters, data: request.data, iv: request.ivCounterNonce,
            additionalData: request.authenticatedEncryptionAdditionalData, tag: nil))
        try await recordUsage(stored, bytes: size)
        return EncryptResponse(uniqueIdentifier: .text(stored.id), data: result.data, ivCounterNonce: result.chosenIV, authenticatedEncryptionTag: result.tag)
    }

    func decrypt(_ request: DecryptRequest, context: RequestContext) async throws -> DecryptResponse {
        let (stored, block, key) = try await usableKey(request.uniqueIdentifier, context, usage: .decrypt, .process)
        let data = try cryptography.decrypt(cipherRequest(
            stored, block, key: key, parameters: request.cryptographicParameters, data: request.data, iv: request.ivCounterNonce,
            additionalData: request.authenticatedEncryptionAdditionalData, tag: request.authenticatedEncryptionTag))
        return DecryptResponse(uniqueIdentifier: .text(stored.id), data: data)
    }

    func mac(_ request: MACRequest, context: RequestContext) async throws -> MACResponse {
        let (stored, block, key) = try await usableKey(request.uniqueIdentifier, context, usage: .macGenerate, .protect)
        let algorithm = parameters(request.cryptographicParameters, stored)?.cryptographicAlgorithm ?? block.cryptographicAlgorithm
            ?? stored.attributes.cryptographicAlgorithm
        guard let algorithm else { throw OperationFailure(.invalidField, "MAC needs a Cryptographic Algorithm") }
        let data = request.data ?? []
        try checkUsageLimits(stored, bytes: data.count, context: context)
        let mac = try cryptography.mac(key: key, algorithm: algorithm, data: data)
        try await recordUsage(stored, bytes: data.count)
        return MACResponse(uniqueIdentifier: .text(stored.id), macData: mac)
    }

    func sign(_ request: SignRequest, context: RequestContext) async throws -> SignResponse {
        let (stored, block, key) = try await usableKey(request.uniqueIdentifier, context, usage: .sign, .protect)
        guard let data = request.data else { throw OperationFailure(.invalidField, "Sign needs Data (Digested Data is not supported)") }
        try checkUsageLimits(stored, bytes: data.count, context: context)
        let signature = try cryptography.sign(SignatureRequest(
            key: block, keyBytes: key, algorithm: block.cryptographicAlgorithm ?? stored.attributes.cryptographicAlgorithm ?? .rsa,
            parameters: parameters(request.cryptographicParameters, stored), data: data))
        try await recordUsage(stored, bytes: data.count)
        return SignResponse(uniqueIdentifier: .text(stored.id), signatureData: signature)
    }

    func signatureVerify(_ request: SignatureVerifyRequest, context: RequestContext) async throws -> SignatureVerifyResponse {
        let (stored, block, key) = try await usableKey(request.uniqueIdentifier, context, usage: .verify, .process)
        guard let data = request.data, let signature = request.signatureData else {
            throw OperationFailure(.invalidField, "Signature Verify needs Data and Signature Data")
        }
        let valid = try cryptography.verify(
            SignatureRequest(
                key: block, keyBytes: key, algorithm: block.cryptographicAlgorithm ?? stored.attributes.cryptographicAlgorithm ?? .rsa,
                parameters: parameters(request.cryptographicParameters, stored), data: data),
            signature: signature)
        return SignatureVerifyResponse(uniqueIdentifier: .text(stored.id), validityIndicator: valid ? .valid : .invalid)
    }

    func hash(_ request: HashRequest) throws -> HashResponse {
        guard let algorithm = request.cryptographicParameters.hashingAlgorithm else {
            throw OperationFailure(.invalidField, "Hash needs a Hashing Algorithm in the Cryptographic Parameters")
        }
        return HashResponse(data: try cryptography.hash(algorithm, data: request.data ?? []))
    }

    func rngRetrieve(_ request: RNGRetrieveRequest) throws -> RNGRetrieveResponse {
        guard (1...1_048_576).contains(request.dataLength) else {
            throw OperationFailure(.invalidField, "Data Length must be 1 to 1048576 bytes, not \(request.dataLength)")
        }
        var generator = SystemRandomNumberGenerator()
        return RNGRetrieveResponse(data: (0..<Int(request.dataLength)).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
