// swift-kmip: KMIPTTLV
//
// Item tree -> TTLV bytes.

/// Encodes an item tree in the binary TTLV encoding (KMIP 1.x §9.1, 2.x §10.1).
///
/// The output follows the wire rules exactly: 8-byte alignment with zero padding, fixed lengths,
/// Booleans as 0 or 1, Big Integers sign-extended to a multiple of eight bytes. The encoder
/// measures the tree first and writes it into one allocation of the exact size.
///
/// ```swift
/// let bytes = try TTLVEncoder().encode(message)
/// ```
public struct TTLVEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes `item` and everything below it.
    ///
    /// - Throws: ``KMIPError`` when a tag does not fit in three bytes or a value is longer than
    ///   a TTLV length field can say.
    public func encode(_ item: KMIPItem) throws -> [UInt8] {
        let size = try Self.encodedSize(of: item)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            let end = Self.write(item, into: raw, at: 0)
            assert(end == size)
            initialized = end
        }
    }

    /// Appends the encoding of `item` to `bytes`.
    public func encode(_ item: KMIPItem, into bytes: inout [UInt8]) throws {
        bytes.append(contentsOf: try encode(item))
    }

    // MARK: - Measuring

    /// The encoded size of `item`, header and padding included; also validates what can fail.
    static func encodedSize(of item: KMIPItem) throws -> Int {
        do {
            guard item.tag.rawValue <= 0xFF_FFFF else {
                throw KMIPError(.invalidValue, "tag 0x\(String(item.tag.rawValue, radix: 16)) does not fit in three bytes")
            }
            let length: Int
            switch item.value {
            case .structure(let children):
                // Indexing an unsafe buffer borrows each child instead of copying (retaining) it.
                length = try children.withUnsafeBufferPointer { children in
                    var total = 0
                    for index in children.indices { total += try encodedSize(of: children[index]) }
                    return total
                }
            case .integer, .enumeration, .interval: length = 4
            case .longInteger, .boolean, .dateTime, .dateTimeExtended: length = 8
            case .bigInteger(let value): length = (value.twosComplementBytes.count + 7) & ~7
            case .textString(let text): length = text.utf8.count
            case .byteString(let bytes): length = bytes.count
            }
            guard length <= Int(UInt32.max) else {
                throw KMIPError(.limitExceeded, "value of \(length) bytes is longer than a TTLV length field can say")
            }
            return 8 + ((length + 7) & ~7)
        } catch var error as KMIPError {
            error.tagPath.insert(item.tag, at: 0)
            throw error
        }
    }

    // MARK: - Writing

    @inline(__always)
    static func store<T: FixedWidthInteger>(_ value: T, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
    }

    /// Writes `item` at `offset`; returns the offset after its padding.
    static func write(_ item: KMIPItem, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        let start = offset + 8
        let length: Int
        switch item.value {
        case .structure(let children):
            let end = children.withUnsafeBufferPointer { children in
                var cursor = start
                for index in children.indices { cursor = write(children[index], into: buffer, at: cursor) }
                return cursor
            }
            length = end - start
        case .integer(let value):
            store(value, into: buffer, at: start)
            store(UInt32(0), into: buffer, at: start + 4)
            length = 4
        case .enumeration(let value):
            store(value, into: buffer, at: start)
            store(UInt32(0), into: buffer, at: start + 4)
            length = 4
        case .interval(let value):
            store(value, into: buffer, at: start)
            store(UInt32(0), into: buffer, at: start + 4)
            length = 4
        case .longInteger(let value), .dateTime(let value), .dateTimeExtended(let value):
            store(value, into: buffer, at: start)
            length = 8
        case .boolean(let value):
            store(UInt64(value ? 1 : 0), into: buffer, at: start)
            length = 8
        case .bigInteger(let value):
            let bytes = value.paddedBytes
            bytes.withUnsafeBytes { buffer.baseAddress!.advanced(by: start).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            length = bytes.count
        case .textString(let text):
            zeroLastWord(of: text.utf8.count, into: buffer, at: start)
            length = copyBytes(text.utf8, into: buffer, at: start)
        case .byteString(let bytes):
            zeroLastWord(of: bytes.count, into: buffer, at: start)
            length = copyBytes(bytes, into: buffer, at: start)
        }
        let paddedEnd = start + ((length + 7) & ~7)
        store(item.tag.rawValue << 8 | UInt32(item.itemType.rawValue), into: buffer, at: offset)
        store(UInt32(length), into: buffer, at: offset + 4)
        return paddedEnd
    }

    /// Zeroes the last 8-byte word of a variable-length value before the value is copied in, which
    /// leaves its padding zero.
    @inline(__always)
    static func zeroLastWord(of length: Int, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        if length > 0 { store(UInt64(0), into: buffer, at: offset + ((length + 7) & ~7) - 8) }
    }

    @inline(__always)
    static func copyBytes<Bytes: Collection>(_ bytes: Bytes, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int
    where Bytes.Element == UInt8 {
        if let count = bytes.withContiguousStorageIfAvailable({ source -> Int in
            if let base = source.baseAddress { buffer.baseAddress!.advanced(by: offset).copyMemory(from: base, byteCount: source.count) }
            return source.count
        }) {
            return count
        }
        var index = offset
        for byte in bytes {
            buffer[index] = byte
            index += 1
        }
        return index - offset
    }
}
