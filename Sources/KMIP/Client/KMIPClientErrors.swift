// swift-kmip: KMIP
//
// What can go wrong between a client and a server, and what a server reports.

extension KMIPError.Code {
    /// No connection could be made (refused, unreachable, timed out); nothing was sent.
    public static let connectionFailed = KMIPError.Code(rawValue: "connectionFailed")
    /// The TLS handshake failed (untrusted or expired certificate, name mismatch, no client
    /// certificate, no common cipher suite); nothing was sent.
    public static let tlsFailure = KMIPError.Code(rawValue: "tlsFailure")
    /// The connection closed.
    public static let connectionClosed = KMIPError.Code(rawValue: "connectionClosed")
    /// The request was sent but no response came (the connection broke, the time ran out, or the
    /// task was cancelled): the server may have executed it. Never retried for operations that
    /// change state.
    public static let responseLost = KMIPError.Code(rawValue: "responseLost")
    /// The response does not answer the request (wrong batch items, unparseable).
    public static let unexpectedResponse = KMIPError.Code(rawValue: "unexpectedResponse")
    /// The client was shut down.
    public static let clientShutDown = KMIPError.Code(rawValue: "clientShutDown")
}

extension KMIPError {
    /// Whether the server may have executed the request although no response arrived.
    public var serverMayHaveExecuted: Bool { code == .responseLost }
}

/// A failure the server reported for one batch item (Result Status other than Success).
///
/// Returned per batch item in results; thrown by the single-operation methods of ``KMIPClient``.
public struct KMIPOperationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The operation that failed.
    public var operation: Operation?
    /// Operation Failed, Operation Pending or Operation Undone.
    public var resultStatus: ResultStatus
    /// Why, when the server said (Item Not Found, Permission Denied, ...).
    public var resultReason: ResultReason?
    /// The server's message.
    public var resultMessage: String?
    /// The Asynchronous Correlation Value of a pending operation (poll or cancel with it).
    public var asynchronousCorrelationValue: [UInt8]?
    /// The Unique Batch Item ID of the item.
    public var uniqueBatchItemID: [UInt8]?

    /// The failure of a response batch item.
    public init(_ item: ResponseBatchItem) {
        operation = item.operation
        resultStatus = item.resultStatus
        resultReason = item.resultReason
        resultMessage = item.resultMessage
        asynchronousCorrelationValue = item.asynchronousCorrelationValue
        uniqueBatchItemID = item.uniqueBatchItemID
    }

    public var description: String {
        var text = "\(operation.map { "\($0)" } ?? "request"): \(resultStatus)"
        if let resultReason { text += ", \(resultReason)" }
        if let resultMessage, !resultMessage.isEmpty { text += ": \(resultMessage)" }
        return text
    }
}
