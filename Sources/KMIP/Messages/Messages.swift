// swift-kmip: KMIP
//
// Request Message and Response Message with their batch items (1.x §7.1, §6.x; 2.x §8, §9).

/// A request message: a header and one or more batch items.
///
/// ```swift
/// let request = RequestMessage(
///     protocolVersion: .v1_4,
///     payload: GetRequest(uniqueIdentifier: "1f165d65-…"))
/// let bytes = try request.ttlvBytes()
/// ```
public struct RequestMessage: Hashable, Sendable {
    /// The header.
    public var header: RequestHeader
    /// The batch items, in order.
    public var batchItems: [RequestBatchItem]

    /// Creates a request message.
    public init(header: RequestHeader, batchItems: [RequestBatchItem]) {
        self.header = header
        self.batchItems = batchItems
    }

    /// A request with one batch item carrying `payload`.
    public init(protocolVersion: KMIPVersion, payload: some KMIPRequestPayload) {
        self.init(header: RequestHeader(protocolVersion: protocolVersion), batchItems: [RequestBatchItem(payload)])
    }

    /// The protocol version of the message (the header's).
    public var protocolVersion: KMIPVersion { header.protocolVersion }
}

/// One operation of a request message.
public struct RequestBatchItem: Hashable, Sendable {
    /// The operation.
    public var operation: Operation
    /// Ephemeral (KMIP 2.0+): the server does not keep objects the operation creates.
    public var ephemeral: Bool?
    /// Unique Batch Item ID, required when a batch has more than one item.
    public var uniqueBatchItemID: [UInt8]?
    /// The request payload.
    public var payload: RequestPayload
    /// Message Extensions (vendor data).
    public var messageExtensions: [MessageExtension]

    /// Creates a batch item.
    public init(
        operation: Operation, ephemeral: Bool? = nil, uniqueBatchItemID: [UInt8]? = nil, payload: RequestPayload,
        messageExtensions: [MessageExtension] = []
    ) {
        self.operation = operation
        self.ephemeral = ephemeral
        self.uniqueBatchItemID = uniqueBatchItemID
        self.payload = payload
        self.messageExtensions = messageExtensions
    }

    /// A batch item for a typed payload; the operation comes from the payload.
    public init<Payload: KMIPRequestPayload>(_ payload: Payload, uniqueBatchItemID: [UInt8]? = nil) {
        self.init(operation: Payload.operation, uniqueBatchItemID: uniqueBatchItemID, payload: RequestPayload(payload))
    }
}

/// A response message: a header and one batch item per request item processed.
public struct ResponseMessage: Hashable, Sendable {
    /// The header.
    public var header: ResponseHeader
    /// The batch items, in order.
    public var batchItems: [ResponseBatchItem]

    /// Creates a response message.
    public init(header: ResponseHeader, batchItems: [ResponseBatchItem]) {
        self.header = header
        self.batchItems = batchItems
    }

    /// The protocol version of the message (the header's).
    public var protocolVersion: KMIPVersion { header.protocolVersion }
}

/// The result of one operation of a response message.
public struct ResponseBatchItem: Hashable, Sendable {
    /// The operation; servers may omit it when the request could not be parsed.
    public var operation: Operation?
    /// Unique Batch Item ID of the request item this answers.
    public var uniqueBatchItemID: [UInt8]?
    /// Result Status: Success, Operation Failed, Operation Pending or Operation Undone.
    public var resultStatus: ResultStatus
    /// Result Reason, given when the operation failed.
    public var resultReason: ResultReason?
    /// Result Message: the server's explanation of a failure.
    public var resultMessage: String?
    /// Asynchronous Correlation Value, given when the result is pending (poll with it).
    public var asynchronousCorrelationValue: [UInt8]?
    /// The response payload, absent for failures and for operations that return none.
    public var payload: ResponsePayload?
    /// Message Extensions (vendor data).
    public var messageExtensions: [MessageExtension]

    /// Creates a batch item.
    public init(
        operation: Operation?, uniqueBatchItemID: [UInt8]? = nil, resultStatus: ResultStatus,
        resultReason: ResultReason? = nil, resultMessage: String? = nil, asynchronousCorrelationValue: [UInt8]? = nil,
        payload: ResponsePayload? = nil, messageExtensions: [MessageExtension] = []
    ) {
        self.operation = operation
        self.uniqueBatchItemID = uniqueBatchItemID
        self.resultStatus = resultStatus
        self.resultReason = resultReason
        self.resultMessage = resultMessage
        self.asynchronousCorrelationValue = asynchronousCorrelationValue
        self.payload = payload
        self.messageExtensions = messageExtensions
    }

    /// A successful result carrying a typed payload.
    public init<Payload: KMIPResponsePayload>(_ payload: Payload, uniqueBatchItemID: [UInt8]? = nil) {
        self.init(
            operation: Payload.operation, uniqueBatchItemID: uniqueBatchItemID, resultStatus: .success,
            payload: ResponsePayload(payload))
    }

    /// The payload as `Payload`, or `nil` when it is absent or of another operation.
    public func payload<Payload: KMIPResponsePayload>(as type: Payload.Type) -> Payload? {
        payload?.typed as? Payload
    }
}

// MARK: - Coding

extension RequestMessage: KMIPCodable {
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        header = try reader.decode(.requestHeader)
        batchItems = try reader.decodeRepeated(.batchItem)
        try reader.finish()
        if batchItems.isEmpty { throw reader.missing(.batchItem) }
    }

    /// Writes the message; the Batch Count is the number of batch items.
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        var header = header
        header.batchCount = Int32(batchItems.count)
        var writer = KMIPStructureWriter("Request Message", context: context, capacity: batchItems.count + 1)
        try writer.encode(header, .requestHeader)
        try writer.encode(batchItems, .batchItem, required: .all)
        return writer.item(tag: tag)
    }
}

extension RequestBatchItem: KMIPCodable {
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        operation = try reader.decode(.operation)
        ephemeral = try reader.decodeIfPresent(.ephemeral)
        uniqueBatchItemID = try reader.decodeIfPresent(.uniqueBatchItemID)
        guard let payloadItem = reader.nextItem(.requestPayload) else { throw reader.missing(.requestPayload) }
        do {
            payload = try RequestPayload(operation: operation, kmipItem: payloadItem, context: context)
        } catch let error as KMIPError {
            throw error.prefixed(by: .requestPayload)
        }
        messageExtensions = try reader.decodeRepeated(.messageExtension)
        try reader.finish()
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        if let typed = payload.typed, !type(of: typed).versions.contains(context.version) {
            throw KMIPError(
                .unsupportedInVersion,
                "\(operation) does not exist in KMIP \(context.version) (defined in \(type(of: typed).versions))",
                tagPath: [.operation])
        }
        var writer = KMIPStructureWriter("Request Batch Item", context: context, capacity: 4)
        try writer.encode(operation, .operation)
        try writer.encode(ephemeral, .ephemeral, versions: KMIPVersionSet(rawValue: 0x60))
        try writer.encode(uniqueBatchItemID, .uniqueBatchItemID)
        do {
            writer.append(try payload.kmipItem(tag: .requestPayload, context: context))
        } catch let error as KMIPError {
            throw error.prefixed(by: .requestPayload)
        }
        try writer.encode(messageExtensions, .messageExtension)
        return writer.item(tag: tag)
    }
}

extension ResponseMessage: KMIPCodable {
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        header = try reader.decode(.responseHeader)
        batchItems = try reader.decodeRepeated(.batchItem)
        try reader.finish()
        if batchItems.isEmpty { throw reader.missing(.batchItem) }
    }

    /// Writes the message; the Batch Count is the number of batch items.
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        var header = header
        header.batchCount = Int32(batchItems.count)
        var writer = KMIPStructureWriter("Response Message", context: context, capacity: batchItems.count + 1)
        try writer.encode(header, .responseHeader)
        try writer.encode(batchItems, .batchItem, required: .all)
        return writer.item(tag: tag)
    }
}

extension ResponseBatchItem: KMIPCodable {
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        operation = try reader.decodeIfPresent(.operation)
        uniqueBatchItemID = try reader.decodeIfPresent(.uniqueBatchItemID)
        resultStatus = try reader.decode(.resultStatus)
        resultReason = try reader.decodeIfPresent(.resultReason)
        resultMessage = try reader.decodeIfPresent(.resultMessage)
        asynchronousCorrelationValue = try reader.decodeIfPresent(.asynchronousCorrelationValue)
        if let payloadItem = reader.nextItem(.responsePayload) {
            do {
                if let operation {
                    payload = try ResponsePayload(operation: operation, kmipItem: payloadItem, context: context)
                } else {
                    payload = .raw(payloadItem)
                }
            } catch let error as KMIPError {
                throw error.prefixed(by: .responsePayload)
            }
        } else {
            payload = nil
        }
        messageExtensions = try reader.decodeRepeated(.messageExtension)
        try reader.finish()
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        var writer = KMIPStructureWriter("Response Batch Item", context: context, capacity: 5)
        try writer.encode(operation, .operation)
        try writer.encode(uniqueBatchItemID, .uniqueBatchItemID)
        try writer.encode(resultStatus, .resultStatus)
        try writer.encode(resultReason, .resultReason)
        try writer.encode(resultMessage, .resultMessage)
        try writer.encode(asynchronousCorrelationValue, .asynchronousCorrelationValue)
        if let payload {
            do {
                writer.append(try payload.kmipItem(tag: .responsePayload, context: context))
            } catch let error as KMIPError {
                throw error.prefixed(by: .responsePayload)
            }
        }
        try writer.encode(messageExtensions, .messageExtension)
        return writer.item(tag: tag)
    }
}

// MARK: - Bytes and trees

/// A Request or Response Message: what goes over the wire as one TTLV item.
public protocol KMIPMessage: KMIPCodable {
    /// The tag of the message (Request Message or Response Message).
    static var messageTag: Tag { get }
    /// The protocol version of the message, whose wire form it is written in.
    var protocolVersion: KMIPVersion { get }
}

extension RequestMessage: KMIPMessage {
    public static var messageTag: Tag { .requestMessage }
}

extension ResponseMessage: KMIPMessage {
    public static var messageTag: Tag { .responseMessage }
}

extension KMIPMessage {
    /// Decodes the message from its tree.
    ///
    /// - Throws: `KMIPError` with the tag path of what was wrong.
    public init(tree item: KMIPItem, context: KMIPDecodingContext = .tolerant) throws {
        guard item.tag == Self.messageTag else {
            throw KMIPError(.unexpectedItem, "expected a \(tagName(Self.messageTag)), found \(tagName(item.tag))", tagPath: [item.tag])
        }
        do {
            try self.init(kmipItem: item, context: context)
        } catch let error as KMIPError {
            throw error.prefixed(by: Self.messageTag)
        }
    }

    /// Decodes the message from TTLV bytes.
    public init(ttlv bytes: [UInt8], context: KMIPDecodingContext = .tolerant) throws {
        try self.init(tree: try TTLVDecoder().decode(bytes), context: context)
    }

    /// The tree of the message in the form of its protocol version.
    ///
    /// - Throws: `KMIPError.Code.unsupportedInVersion` when a field or operation does not exist
    ///   in that version, `KMIPError.Code.missingField` when a required one is missing.
    public func tree() throws -> KMIPItem {
        do {
            return try kmipItem(tag: Self.messageTag, context: KMIPEncodingContext(version: protocolVersion))
        } catch let error as KMIPError {
            throw error.prefixed(by: Self.messageTag)
        }
    }

    /// The TTLV bytes of the message.
    public func ttlvBytes() throws -> [UInt8] {
        try TTLVEncoder().encode(tree())
    }
}
