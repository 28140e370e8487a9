// swift-kmip: KMIPTTLV
//
// Incremental framing: bytes as they arrive -> whole TTLV messages.

/// Cuts a stream of bytes into whole TTLV messages, as a transport receives them.
///
/// Feed it bytes with ``append(_:)`` as they arrive and take messages out with
/// ``nextMessage()`` until it returns `nil`. It reads only the 8-byte header of each message to
/// learn its length and checks that length against the limit before waiting for the body, so a
/// hostile length field never makes it allocate more than has actually arrived.
///
/// After it has thrown, the stream cannot be resynchronised: close the connection.
///
/// ```swift
/// var framer = TTLVFrameDecoder()
/// framer.append(chunk)
/// while let message = try framer.nextMessage() {
///     let item = try TTLVDecoder().decode(message)
/// }
/// ```
public struct TTLVFrameDecoder: Sendable {
    /// The largest message accepted, header included.
    public var maximumMessageSize: Int

    private var storage: [UInt8] = []
    private var readIndex = 0
    private var consumedBytes = 0
    private var failure: KMIPError?

    /// Creates a frame decoder that refuses messages larger than `maximumMessageSize` bytes.
    public init(maximumMessageSize: Int = TTLVDecodingOptions.strict.maximumMessageSize) {
        self.maximumMessageSize = maximumMessageSize
    }

    /// The number of bytes received that are not yet part of a returned message.
    public var bufferedByteCount: Int { storage.count - readIndex }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if readIndex > 0 && readIndex >= storage.count / 2 {
            storage.removeSubrange(..<readIndex)
            readIndex = 0
        }
        storage.append(contentsOf: bytes)
    }

    /// The next whole message (header and value), or `nil` until more bytes arrive.
    ///
    /// - Throws: ``KMIPError`` when the header is not that of a KMIP message (which is always a
    ///   Structure) or announces more than ``maximumMessageSize`` bytes.
    public mutating func nextMessage() throws -> [UInt8]? {
        if let failure { throw failure }
        guard bufferedByteCount >= 8 else { return nil }
        let header = storage[readIndex..<readIndex + 8]
        let type = header[readIndex + 3]
        let length = header[(readIndex + 4)...].reduce(0) { $0 << 8 | Int($1) }
        guard type == ItemType.structure.rawValue else {
            return try fail(KMIPError(
                .malformedInput, "a KMIP message is a Structure, but the header has item type 0x\(hexDigits(UInt64(type), width: 2))",
                byteOffset: consumedBytes + 3))
        }
        let total = 8 + length
        guard total <= maximumMessageSize else {
            return try fail(KMIPError(
                .limitExceeded, "message of \(total) bytes exceeds the maximum message size of \(maximumMessageSize) bytes",
                byteOffset: consumedBytes + 4))
        }
        guard bufferedByteCount >= total else { return nil }
        let message = Array(storage[readIndex..<readIndex + total])
        readIndex += total
        consumedBytes += total
        if readIndex == storage.count {
            storage.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        return message
    }

    private mutating func fail(_ error: KMIPError) throws -> [UInt8]? {
        failure = error
        throw error
    }
}
