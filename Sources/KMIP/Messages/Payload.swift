// swift-kmip: KMIP
//
// The protocols of the generated request and response payloads.

/// The request payload of an operation (generated for every operation of KMIP 1.0 to 2.1).
public protocol KMIPRequestPayload: KMIPCodable, Hashable {
    /// The payload of the operation's response.
    associatedtype Response: KMIPResponsePayload
    /// The operation this payload belongs to.
    static var operation: Operation { get }
    /// The protocol versions that define the payload (and its operation).
    static var versions: KMIPVersionSet { get }
}

/// The response payload of an operation (generated for every operation of KMIP 1.0 to 2.1).
public protocol KMIPResponsePayload: KMIPCodable, Hashable {
    /// The operation this payload belongs to.
    static var operation: Operation { get }
    /// The protocol versions that define the payload (and its operation).
    static var versions: KMIPVersionSet { get }
}

/// The response payload of Poll (1.x §4.x, 2.x §6.1.x): the payload of the operation that was
/// pending, whose type depends on that operation, kept as its tree.
public struct PollResponse: KMIPResponsePayload {
    public static var operation: Operation { .poll }
    public static var versions: KMIPVersionSet { .all }

    /// The polled operation's response payload.
    public var payload: KMIPItem

    /// Wraps the polled operation's payload.
    public init(payload: KMIPItem) { self.payload = payload }

    /// The payload as the response payload of `type`'s operation.
    public func payload<Payload: KMIPResponsePayload>(as type: Payload.Type, context: KMIPDecodingContext = .tolerant) throws -> Payload {
        try Payload(kmipItem: payload, context: context)
    }

    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws { payload = item }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem { KMIPItem(tag, payload.value) }
}
