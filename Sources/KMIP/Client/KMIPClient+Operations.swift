// swift-kmip: KMIP
//
// Everyday operations as methods. Every other operation is `perform(_:)` with its payload.

extension KMIPClient {
    /// The attributes of a new symmetric key: algorithm, length, usage mask (default encrypt and
    /// decrypt: some servers, PyKMIP among them, refuse a Create without one), optional name and
    /// object group.
    public static func symmetricKeyAttributes(
        algorithm: CryptographicAlgorithm, length: Int32, usage: CryptographicUsageMask = [.encrypt, .decrypt],
        name: String? = nil, objectGroup: String? = nil
    ) -> Attributes {
        var attributes = Attributes()
        attributes.cryptographicAlgorithm = algorithm
        attributes.cryptographicLength = length
        attributes.cryptographicUsageMask = usage
        if let name { attributes.names = [Name(nameValue: name, nameType: .uninterpretedTextString)] }
        if let objectGroup { attributes.objectGroups = [objectGroup] }
        return attributes
    }

    /// Creates a symmetric key (Create) and returns its Unique Identifier.
    public func createSymmetricKey(
        algorithm: CryptographicAlgorithm, length: Int32, usage: CryptographicUsageMask = [.encrypt, .decrypt],
        name: String? = nil, objectGroup: String? = nil, attributes extra: Attributes = Attributes()
    ) async throws -> UniqueIdentifier {
        var attributes = Self.symmetricKeyAttributes(algorithm: algorithm, length: length, usage: usage, name: name, objectGroup: objectGroup)
        attributes.list += extra.list
        return try await perform(CreateRequest(objectType: .symmetricKey, attributes: attributes)).uniqueIdentifier
    }

    /// Creates an asymmetric key pair (Create Key Pair); returns the private and public key identifiers.
    public func createKeyPair(
        algorithm: CryptographicAlgorithm, length: Int32, privateKeyAttributes: Attributes? = nil,
        publicKeyAttributes: Attributes? = nil
    ) async throws -> (privateKey: UniqueIdentifier, publicKey: UniqueIdentifier) {
        var common = Attributes()
        common.cryptographicAlgorithm = algorithm
        common.cryptographicLength = length
        var privateAttributes = privateKeyAttributes ?? Attributes()
        if privateAttributes.cryptographicUsageMask == nil { privateAttributes.cryptographicUsageMask = [.sign] }
        var publicAttributes = publicKeyAttributes ?? Attributes()
        if publicAttributes.cryptographicUsageMask == nil { publicAttributes.cryptographicUsageMask = [.verify] }
        let response = try await perform(CreateKeyPairRequest(
            commonAttributes: common, privateKeyAttributes: privateAttributes, publicKeyAttributes: publicAttributes))
        return (response.privateKeyUniqueIdentifier, response.publicKeyUniqueIdentifier)
    }

    /// Registers an object made elsewhere (Register) and returns its Unique Identifier.
    public func register(_ object: ManagedObject, attributes: Attributes = Attributes()) async throws -> UniqueIdentifier {
        try await perform(RegisterRequest(objectType: object.objectType, attributes: attributes, object: object)).uniqueIdentifier
    }

    /// Gets an object (Get), optionally in another key format or wrapped.
    public func get(
        _ id: UniqueIdentifier, keyFormatType: KeyFormatType? = nil, keyWrappingSpecification: KeyWrappingSpecification? = nil
    ) async throws -> GetResponse {
        try await perform(GetRequest(uniqueIdentifier: id, keyFormatType: keyFormatType, keyWrappingSpecification: keyWrappingSpecification))
    }

    /// Gets attributes of an object (Get Attributes); all of them when `names` is empty.
    public func getAttributes(_ id: UniqueIdentifier, _ names: [AttributeName] = []) async throws -> Attributes {
        try await perform(GetAttributesRequest(uniqueIdentifier: id, attributeNames: names)).attributes ?? Attributes()
    }

    /// The names of an object's attributes (Get Attribute List).
    public func getAttributeList(_ id: UniqueIdentifier) async throws -> [AttributeName] {
        try await perform(GetAttributeListRequest(uniqueIdentifier: id)).attributeNames
    }

    /// The identifiers of the objects whose attributes match `attributes` (Locate).
    public func locate(_ attributes: Attributes = Attributes(), maximumItems: Int32? = nil, offsetItems: Int32? = nil) async throws -> [UniqueIdentifier] {
        try await perform(LocateRequest(maximumItems: maximumItems, offsetItems: offsetItems, attributes: attributes)).uniqueIdentifiers
    }

    /// Activates an object (Activate): Pre-Active to Active.
    public func activate(_ id: UniqueIdentifier) async throws {
        _ = try await perform(ActivateRequest(uniqueIdentifier: id))
    }

    /// Revokes an object (Revoke): Active to Deactivated, or to Compromised for a compromise.
    public func revoke(
        _ id: UniqueIdentifier, reason: RevocationReasonCode = .cessationOfOperation, message: String? = nil,
        compromiseDate: KMIPDateTime? = nil
    ) async throws {
        _ = try await perform(RevokeRequest(
            uniqueIdentifier: id, revocationReason: RevocationReason(revocationReasonCode: reason, revocationMessage: message),
            compromiseOccurrenceDate: compromiseDate))
    }

    /// Destroys an object's key material (Destroy).
    public func destroy(_ id: UniqueIdentifier) async throws {
        _ = try await perform(DestroyRequest(uniqueIdentifier: id))
    }

    /// Asks the server what it supports (Query).
    public func query(_ functions: [QueryFunction]) async throws -> QueryResponse {
        try await perform(QueryRequest(queryFunctions: functions))
    }

    /// The protocol versions the server supports, its preferred first (Discover Versions).
    public func discoverVersions() async throws -> [KMIPVersion] {
        try await perform(DiscoverVersionsRequest()).protocolVersions
    }

    /// Polls a pending asynchronous operation (Poll); the result is the operation's payload once done.
    public func poll(_ asynchronousCorrelationValue: [UInt8]) async throws -> PollResponse {
        try await perform(PollRequest(asynchronousCorrelationValue: asynchronousCorrelationValue))
    }

    /// Cancels a pending asynchronous operation (Cancel).
    public func cancel(_ asynchronousCorrelationValue: [UInt8]) async throws -> CancelResponse {
        try await perform(CancelRequest(asynchronousCorrelationValue: asynchronousCorrelationValue))
    }
}
