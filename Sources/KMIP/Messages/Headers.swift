// swift-kmip: KMIP
//
// Request Header and Response Header (1.x §7.2, Tables of §6; 2.x §8, §9).

/// The header of a request message.
public struct RequestHeader: Hashable, Sendable {
    /// Protocol Version of the message.
    public var protocolVersion: KMIPVersion
    /// Maximum Response Size in bytes the client accepts.
    public var maximumResponseSize: Int32?
    /// Client Correlation Value (KMIP 1.4+), echoed by the server, for logs.
    public var clientCorrelationValue: String?
    /// Server Correlation Value (KMIP 1.4+).
    public var serverCorrelationValue: String?
    /// Asynchronous Indicator: whether the client accepts an asynchronous (Pending) response.
    ///
    /// A Boolean in KMIP 1.x (`true` for ``AsynchronousIndicator/optional`` and
    /// ``AsynchronousIndicator/mandatory``), an enumeration in KMIP 2.x.
    public var asynchronousIndicator: AsynchronousIndicator?
    /// Attestation Capable Indicator (KMIP 1.2+).
    public var attestationCapableIndicator: Bool?
    /// Attestation Types the client supports (KMIP 1.2+).
    public var attestationTypes: [AttestationType]
    /// Authentication: the credentials of the requester, besides the TLS client certificate.
    public var authentication: Authentication?
    /// What the server does after a failed batch item: Stop (default), Continue or Undo.
    public var batchErrorContinuationOption: BatchErrorContinuationOption?
    /// Whether the server must process the batch items in order (default `true`).
    public var batchOrderOption: Bool?
    /// Time Stamp of the request.
    public var timeStamp: KMIPDateTime?
    /// Batch Count: the number of batch items (set from the items when the message is encoded).
    public var batchCount: Int32

    /// Creates a request header.
    public init(
        protocolVersion: KMIPVersion, maximumResponseSize: Int32? = nil, clientCorrelationValue: String? = nil,
        serverCorrelationValue: String? = nil, asynchronousIndicator: AsynchronousIndicator? = nil,
        attestationCapableIndicator: Bool? = nil, attestationTypes: [AttestationType] = [],
        authentication: Authentication? = nil, batchErrorContinuationOption: BatchErrorContinuationOption? = nil,
        batchOrderOption: Bool? = nil, timeStamp: KMIPDateTime? = nil, batchCount: Int32 = 1
    ) {
        self.protocolVersion = protocolVersion
        self.maximumResponseSize = maximumResponseSize
        self.clientCorrelationValue = clientCorrelationValue
        self.serverCorrelationValue = serverCorrelationValue
        self.asynchronousIndicator = asynchronousIndicator
        self.attestationCapableIndicator = attestationCapableIndicator
        self.attestationTypes = attestationTypes
        self.authentication = authentication
        self.batchErrorContinuationOption = batchErrorContinuationOption
        self.batchOrderOption = batchOrderOption
        self.timeStamp = timeStamp
        self.batchCount = batchCount
    }
}

extension RequestHeader: KMIPCodable {
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        protocolVersion = try reader.decode(.protocolVersion)
        maximumResponseSize = try reader.decodeIfPresent(.maximumResponseSize)
        clientCorrelationValue = try reader.decodeIfPresent(.clientCorrelationValue)
        serverCorrelationValue = try reader.decodeIfPresent(.serverCorrelationValue)
        asynchronousIndicator = try reader.decodeIfPresent(.asynchronousIndicator, as: AsynchronousIndicatorForm.self)?.value
        attestationCapableIndicator = try reader.decodeIfPresent(.attestationCapableIndicator)
        attestationTypes = try reader.decodeRepeated(.attestationType)
        authentication = try reader.decodeIfPresent(.authentication)
        batchErrorContinuationOption = try reader.decodeIfPresent(.batchErrorContinuationOption)
        batchOrderOption = try reader.decodeIfPresent(.batchOrderOption)
        timeStamp = try reader.decodeIfPresent(.timeStamp)
        batchCount = try reader.decode(.batchCount)
        try reader.finish()
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        var writer = KMIPStructureWriter("Request Header", context: context, capacity: 4)
        try writer.encode(protocolVersion, .protocolVersion)
        try writer.encode(maximumResponseSize, .maximumResponseSize)
        try writer.encode(clientCorrelationValue, .clientCorrelationValue, versions: KMIPVersionSet(rawValue: 0x70))
        try writer.encode(serverCorrelationValue, .serverCorrelationValue, versions: KMIPVersionSet(rawValue: 0x70))
        try writer.encode(asynchronousIndicator.map(AsynchronousIndicatorForm.init), .asynchronousIndicator)
        try writer.encode(attestationCapableIndicator, .attestationCapableIndicator, versions: KMIPVersionSet(rawValue: 0x7C))
        try writer.encode(attestationTypes, .attestationType, versions: KMIPVersionSet(rawValue: 0x7C))
        try writer.encode(authentication, .authentication)
        try writer.encode(batchErrorContinuationOption, .batchErrorContinuationOption)
        try writer.encode(batchOrderOption, .batchOrderOption)
        try writer.encode(timeStamp, .timeStamp)
        try writer.encode(batchCount, .batchCount)
        return writer.item(tag: tag)
    }
}

/// The Asynchronous Indicator in its 1.x (Boolean) and 2.x (Enumeration) forms.
struct AsynchronousIndicatorForm: KMIPCodable {
    var value: AsynchronousIndicator

    init(_ value: AsynchronousIndicator) { self.value = value }

    init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        switch item.value {
        case .boolean(let flag): value = flag ? .optional : .prohibited
        case .enumeration(let raw): value = AsynchronousIndicator(rawValue: raw)
        default: throw KMIPError(.invalidValue, "Asynchronous Indicator must be a Boolean (1.x) or an Enumeration (2.x), found \(item.itemType)")
        }
    }

    func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        context.isVersion2 ? KMIPItem(tag, .enumeration(value.rawValue)) : KMIPItem(tag, .boolean(value != .prohibited))
    }
}

/// The header of a response message.
public struct ResponseHeader: Hashable, Sendable {
    /// Protocol Version of the message.
    public var protocolVersion: KMIPVersion
    /// Time Stamp of the response.
    public var timeStamp: KMIPDateTime
    /// Nonce for attestation (KMIP 1.2+).
    public var nonce: Nonce?
    /// Server Hashed Password (KMIP 2.0+), when the request used a Hashed Password credential.
    public var serverHashedPassword: [UInt8]?
    /// Attestation Types the server accepts (KMIP 1.2+).
    public var attestationTypes: [AttestationType]
    /// Client Correlation Value (KMIP 1.4+).
    public var clientCorrelationValue: String?
    /// Server Correlation Value (KMIP 1.4+).
    public var serverCorrelationValue: String?
    /// Batch Count: the number of batch items (set from the items when the message is encoded).
    public var batchCount: Int32

    /// Creates a response header.
    public init(
        protocolVersion: KMIPVersion, timeStamp: KMIPDateTime, nonce: Nonce? = nil, serverHashedPassword: [UInt8]? = nil,
        attestationTypes: [AttestationType] = [], clientCorrelationValue: String? = nil,
        serverCorrelationValue: String? = nil, batchCount: Int32 = 1
    ) {
        self.protocolVersion = protocolVersion
        self.timeStamp = timeStamp
        self.nonce = nonce
        self.serverHashedPassword = serverHashedPassword
        self.attestationTypes = attestationTypes
        self.clientCorrelationValue = clientCorrelationValue
        self.serverCorrelationValue = serverCorrelationValue
        self.batchCount = batchCount
    }
}

extension ResponseHeader: KMIPCodable {
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        protocolVersion = try reader.decode(.protocolVersion)
        timeStamp = try reader.decode(.timeStamp)
        nonce = try reader.decodeIfPresent(.nonce)
        serverHashedPassword = try reader.decodeIfPresent(.serverHashedPassword)
        attestationTypes = try reader.decodeRepeated(.attestationType)
        clientCorrelationValue = try reader.decodeIfPresent(.clientCorrelationValue)
        serverCorrelationValue = try reader.decodeIfPresent(.serverCorrelationValue)
        batchCount = try reader.decode(.batchCount)
        try reader.finish()
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        var writer = KMIPStructureWriter("Response Header", context: context, capacity: 3)
        try writer.encode(protocolVersion, .protocolVersion)
        try writer.encode(timeStamp, .timeStamp)
        try writer.encode(nonce, .nonce, versions: KMIPVersionSet(rawValue: 0x7C))
        try writer.encode(serverHashedPassword, .serverHashedPassword, versions: KMIPVersionSet(rawValue: 0x60))
        try writer.encode(attestationTypes, .attestationType, versions: KMIPVersionSet(rawValue: 0x7C))
        try writer.encode(clientCorrelationValue, .clientCorrelationValue, versions: KMIPVersionSet(rawValue: 0x70))
        try writer.encode(serverCorrelationValue, .serverCorrelationValue, versions: KMIPVersionSet(rawValue: 0x70))
        try writer.encode(batchCount, .batchCount)
        return writer.item(tag: tag)
    }
}
