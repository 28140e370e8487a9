// swift-kmip: KMIPTTLV
//
// TTLV bytes -> item tree.

/// Decodes the binary TTLV encoding into an item tree (KMIP 1.x §9.1, 2.x §10.1).
///
/// The decoder checks the wire rules (8-byte alignment, fixed lengths, padding, UTF-8) and the
/// limits of its ``options``, and reports any problem as a ``KMIPError`` naming the byte offset
/// and the tag path. It never rejects an item because its type differs from what the registry
/// says the tag carries: checking types is the typed layer's business.
///
/// ```swift
/// let message = try TTLVDecoder().decode(bytes)
/// ```
public struct TTLVDecoder: Sendable {
    /// The wire rules and limits applied.
    public var options: TTLVDecodingOptions

    /// Creates a decoder; strict rules and safe limits by default.
    public init(options: TTLVDecodingOptions = .strict) {
        self.options = options
    }

    /// Decodes exactly one item (normally a whole message) from `bytes`.
    ///
    /// - Throws: ``KMIPError`` when the input is malformed, exceeds a limit, or has bytes after
    ///   the item (``KMIPError/Code/trailingBytes``).
    public func decode<Bytes: Collection>(_ bytes: Bytes) throws -> KMIPItem where Bytes.Element == UInt8 {
        if let item = try bytes.withContiguousStorageIfAvailable({ try decode(UnsafeRawBufferPointer($0)) }) {
            return item
        }
        return try Array(bytes).withUnsafeBytes { try decode($0) }
    }

    /// Decodes exactly one item from raw memory.
    public func decode(_ buffer: UnsafeRawBufferPointer) throws -> KMIPItem {
        guard buffer.count <= options.maximumMessageSize else {
            throw KMIPError(
                .limitExceeded, "input of \(buffer.count) bytes exceeds the maximum message size of \(options.maximumMessageSize) bytes",
                byteOffset: 0)
        }
        var reader = TTLVReader(buffer: buffer, options: options)
        let (item, end) = try reader.readItem(at: 0, end: buffer.count, depth: 1)
        guard end == buffer.count else {
            throw KMIPError(
                .trailingBytes, "\(buffer.count - end) bytes follow the end of the \(item.tag) item",
                byteOffset: end)
        }
        return item
    }
}

/// The recursive descent over one buffer. Each structure costs exactly one array allocation:
/// its children are counted from their headers before they are decoded.
struct TTLVReader {
    let buffer: UnsafeRawBufferPointer
    let options: TTLVDecodingOptions
    let strict: Bool
    var itemCount = 0

    init(buffer: UnsafeRawBufferPointer, options: TTLVDecodingOptions) {
        self.buffer = buffer
        self.options = options
        self.strict = options.strictness == .strict
    }

    @inline(__always)
    func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Reads the item whose header starts at `offset` and must end by `end`; returns it with the
    /// offset after its padding.
    mutating func readItem(at offset: Int, end: Int, depth: Int) throws -> (KMIPItem, Int) {
        guard end - offset >= 8 else {
            if depth == 1 {
                throw KMIPError(
                    .truncated, "item header needs 8 bytes, \(end - offset) left in the input", byteOffset: offset)
            }
            throw KMIPError(
                .invalidLength, "item header needs 8 bytes, \(end - offset) left in the enclosing structure",
                byteOffset: offset)
        }
        let tag = Tag(rawValue: load(UInt32.self, at: offset) >> 8)
        let type = ItemType(rawValue: buffer[offset + 3])
        let length = Int(load(UInt32.self, at: offset + 4))

        itemCount += 1
        guard itemCount <= options.maximumItemCount else {
            throw KMIPError(
                .limitExceeded, "more than \(options.maximumItemCount) items", tagPath: [tag], byteOffset: offset)
        }
        do {
            return try readValue(tag: tag, type: type, length: length, header: offset, end: end, depth: depth)
        } catch var error as KMIPError {
            error.tagPath.insert(tag, at: 0)
            throw error
        }
    }

    @inline(__always)
    mutating func readValue(tag: Tag, type: ItemType, length: Int, header: Int, end: Int, depth: Int) throws -> (KMIPItem, Int) {
        let start = header + 8
        guard type.isKnown else {
            throw KMIPError(.unknownItemType, "unknown item type 0x\(hexDigits(UInt64(type.rawValue), width: 2))", byteOffset: header + 3)
        }
        if let fixed = type.fixedLength, length != fixed {
            throw KMIPError(.invalidLength, "\(type) value must be \(fixed) bytes, length field says \(length)", byteOffset: header + 4)
        }
        guard length <= options.maximumMessageSize else {
            throw KMIPError(
                .limitExceeded, "length \(length) exceeds the maximum message size of \(options.maximumMessageSize) bytes",
                byteOffset: header + 4)
        }
        let valueEnd = start + length
        guard valueEnd <= end else {
            if depth == 1 {
                throw KMIPError(
                    .truncated, "\(type) value of \(length) bytes, only \(end - start) left in the input", byteOffset: header + 4)
            }
            throw KMIPError(
                .invalidLength, "\(type) value of \(length) bytes runs past the end of the enclosing structure (\(end - start) bytes left)",
                byteOffset: header + 4)
        }
        var paddedEnd = start + ((length + 7) & ~7)
        if paddedEnd > end {
            // The padding is missing. Tolerated only where the enclosing item ends.
            guard !strict else {
                throw KMIPError(
                    depth == 1 ? .truncated : .invalidLength,
                    "\(type) value is missing \(paddedEnd - end) padding bytes", byteOffset: valueEnd)
            }
            paddedEnd = end
        }
        if strict && paddedEnd > valueEnd {
            for index in valueEnd..<paddedEnd where buffer[index] != 0 {
                throw KMIPError(.nonZeroPadding, "padding byte is 0x\(hexDigits(UInt64(buffer[index]), width: 2)), must be zero", byteOffset: index)
            }
        }

        let value: KMIPItem.Value
        switch type {
        case .structure:
            guard depth <= options.maximumDepth else {
                throw KMIPError(.limitExceeded, "structures nested deeper than \(options.maximumDepth)", byteOffset: header)
            }
            // Count the children from their headers first, so that the array is allocated once.
            var count = 0
            var cursor = start
            while cursor + 8 <= valueEnd {
                cursor += 8 + ((Int(load(UInt32.self, at: cursor + 4)) + 7) & ~7)
                count += 1
            }
            var children: [KMIPItem] = []
            children.reserveCapacity(count)
            cursor = start
            while cursor < valueEnd {
                let (child, next) = try readItem(at: cursor, end: valueEnd, depth: depth + 1)
                children.append(child)
                cursor = next
            }
            value = .structure(children)
        case .integer:
            value = .integer(load(Int32.self, at: start))
        case .longInteger:
            value = .longInteger(load(Int64.self, at: start))
        case .bigInteger:
            if strict && (length == 0 || length % 8 != 0) {
                throw KMIPError(.invalidLength, "Big Integer length \(length) is not a positive multiple of 8", byteOffset: header + 4)
            }
            value = .bigInteger(KMIPBigInteger(twosComplement: UnsafeRawBufferPointer(rebasing: buffer[start..<valueEnd])))
        case .enumeration:
            value = .enumeration(load(UInt32.self, at: start))
        case .boolean:
            let raw = load(UInt64.self, at: start)
            if strict && raw > 1 {
                throw KMIPError(.invalidValue, "Boolean value is 0x\(hexDigits(raw, width: 16)), must be 0 or 1", byteOffset: start)
            }
            value = .boolean(raw != 0)
        case .textString:
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[start..<valueEnd]).assumingMemoryBound(to: UInt8.self)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw KMIPError(.invalidValue, "Text String is not valid UTF-8", byteOffset: start)
            }
            value = .textString(text)
        case .byteString:
            value = .byteString(Array(UnsafeRawBufferPointer(rebasing: buffer[start..<valueEnd])))
        case .dateTime:
            value = .dateTime(load(Int64.self, at: start))
        case .interval:
            value = .interval(load(UInt32.self, at: start))
        default:  // .dateTimeExtended, the last known type
            value = .dateTimeExtended(load(Int64.self, at: start))
        }
        return (KMIPItem(tag, value), paddedEnd)
    }
}
