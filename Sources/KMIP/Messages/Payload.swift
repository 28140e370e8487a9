// swift-kmip: KMIP
//
// The protocols of the generated request and response payloads.

/// The request payload of an operation (generated for every operation of KMIP 1.0 to 2.1).
public protocol KMIPRequestPayload: KMIPCodable, Hashable {
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
