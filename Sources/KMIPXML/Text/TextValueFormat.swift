// swift-kmip: KMIPXML
//
// Value text shared by the XML and JSON encodings: numbers in decimal or `0x` hex, enumerations
// and masks by name, byte strings in hex, date-times as xsd:dateTime
// (KMIP Additional Message Encodings v1.0 §4.1.1–§4.1.6, §6.1.1–§6.1.6).

/// Reads and writes the text form of item values.
enum TextValueFormat {
    // MARK: - Reading

    /// The value of an item of `type` written as `text`. Mask components may be separated by
    /// spaces (XML) or `|` (JSON) in either encoding.
    static func parse(_ text: String, type: ItemType, context: ValueContext, registry: KMIPRegistry) throws -> KMIPItem.Value {
        switch type {
        case .integer: return .integer(try parseInteger(text, context: context))
        case .longInteger: return .longInteger(try parseLongInteger(text))
        case .bigInteger: return .bigInteger(try parseBigInteger(text))
        case .enumeration: return .enumeration(try parseEnumeration(text, context: context, registry: registry))
        case .boolean: return .boolean(try parseBoolean(text))
        case .textString: return .textString(text)
        case .byteString: return .byteString(try parseHexBytes(text))
        case .dateTime: return .dateTime(try parseDateTime(text, extended: false))
        case .interval: return .interval(try parseInterval(text))
        case .dateTimeExtended: return .dateTimeExtended(try parseDateTime(text, extended: true))
        default: throw KMIPError(.unknownItemType, "no text form for item type \(type)")
        }
    }

    /// `text` without leading and trailing ASCII whitespace.
    static func trimmed(_ text: String) -> Substring {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last, isSpace(first) || isSpace(last) else { return Substring(text) }
        var start = utf8.startIndex, end = utf8.endIndex
        while start < end, isSpace(utf8[start]) { start = utf8.index(after: start) }
        while end > start, isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        return text[start..<end]
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// `0x` followed by 1 to `maxDigits` hex digits, as an unsigned number.
    static func parseHexNumber(_ text: Substring, maxDigits: Int) -> UInt64? {
        guard text.count > 2, text.hasPrefix("0x") || text.hasPrefix("0X") else { return nil }
        let digits = text.dropFirst(2)
        guard digits.count <= maxDigits else { return nil }
        return UInt64(digits, radix: 16)
    }

    static func parseInteger(_ text: String, context: ValueContext) throws -> Int32 {
        let value = trimmed(text)
        if let number = Int32(value) { return number }
        if let hex = parseHexNumber(value, maxDigits: 8) { return Int32(bitPattern: UInt32(hex)) }
        // A mask written as names and hex components separated by spaces or `|`.
        let components = value.split(whereSeparator: { $0 == " " || $0 == "|" || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        guard !components.isEmpty else { throw KMIPError(.invalidValue, "empty Integer value") }
        guard let mask = context.enumeration, mask.kind == .mask else {
            throw KMIPError(.invalidValue, "'\(text)' is not an Integer (decimal or 0x and 8 hex digits)")
        }
        var bits: UInt32 = 0
        for component in components {
            if let hex = parseHexNumber(component, maxDigits: 8) {
                bits |= UInt32(hex)
            } else if let named = ValueContext.value(named: String(component), in: mask) {
                bits |= named
            } else {
                throw KMIPError(.unknownName, "'\(component)' is not a bit of \(mask.name)")
            }
        }
        return Int32(bitPattern: bits)
    }

    static func parseLongInteger(_ text: String) throws -> Int64 {
        let value = trimmed(text)
        if let number = Int64(value) { return number }
        if let hex = parseHexNumber(value, maxDigits: 16) { return Int64(bitPattern: hex) }
        throw KMIPError(.invalidValue, "'\(text)' is not a Long Integer (decimal or 0x and 16 hex digits)")
    }

    static func parseBigInteger(_ text: String) throws -> KMIPBigInteger {
        var value = trimmed(text)
        if value.hasPrefix("0x") || value.hasPrefix("0X") { value = value.dropFirst(2) }
        var digits = String(value)
        if digits.count % 2 == 1 { digits = "0" + digits }
        do {
            return KMIPBigInteger(twosComplement: try Hex.decode(digits))
        } catch {
            throw KMIPError(.invalidValue, "'\(text)' is not a Big Integer in hex")
        }
    }

    static func parseEnumeration(_ text: String, context: ValueContext, registry: KMIPRegistry) throws -> UInt32 {
        let value = trimmed(text)
        if let hex = parseHexNumber(value, maxDigits: 8) { return UInt32(hex) }
        if let number = UInt32(value) { return number }
        let name = String(value)
        if context.valuesAreTags {
            if let tag = registry.tag(named: name) { return tag.rawValue }
            throw KMIPError(.unknownName, "'\(name)' is not the name of a tag")
        }
        guard let enumeration = context.enumeration else {
            throw KMIPError(.unknownName, "'\(name)' cannot be read: no enumeration is known for this item; write it as 0x and 8 hex digits")
        }
        if let number = ValueContext.value(named: name, in: enumeration) {
            return number
        }
        throw KMIPError(.unknownName, "'\(name)' is not a value of \(enumeration.name)")
    }

    static func parseBoolean(_ text: String) throws -> Bool {
        let value = trimmed(text)
        switch value.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default:
            if let hex = parseHexNumber(value, maxDigits: 16), hex <= 1 { return hex == 1 }
            throw KMIPError(.invalidValue, "'\(text)' is not a Boolean (true, false or 0x and 16 hex digits)")
        }
    }

    static func parseInterval(_ text: String) throws -> UInt32 {
        let value = trimmed(text)
        if let number = UInt32(value) { return number }
        if let hex = parseHexNumber(value, maxDigits: 8) { return UInt32(hex) }
        throw KMIPError(.invalidValue, "'\(text)' is not an Interval (seconds, decimal or 0x and 8 hex digits)")
    }

    static func parseHexBytes(_ text: String) throws -> [UInt8] {
        var value = trimmed(text)
        if value.hasPrefix("0x") || value.hasPrefix("0X") { value = value.dropFirst(2) }
        do {
            // Most values are plain hex; white space inside (typesetting) is the rare case.
            if let bytes = try? Hex.decode(value) { return bytes }
            return try Hex.decode(value, ignoring: [" ", "\n", "\t", "\r"])
        } catch let error as KMIPError {
            throw KMIPError(.invalidValue, "'\(text.count > 40 ? String(text.prefix(40)) + "…" : text)' is not a Byte String in hex: \(error.reason)")
        }
    }

    /// xsd:dateTime (`2001-01-01T10:00:00+10:00`, `…Z`, or no zone for UTC), or `0x` and 16 hex
    /// digits. Date-Time keeps whole seconds; Date-Time Extended keeps microseconds.
    static func parseDateTime(_ text: String, extended: Bool) throws -> Int64 {
        let value = trimmed(text)
        if let hex = parseHexNumber(value, maxDigits: 16) { return Int64(bitPattern: hex) }
        guard let parsed = parseISO8601(value) else {
            throw KMIPError(.invalidValue, "'\(text)' is not an xsd:dateTime such as 2001-01-01T10:00:00+10:00 (within 64 bits)")
        }
        guard extended else { return parsed.seconds }
        guard let microseconds = CivilTime.combine(parsed.seconds, 1_000_000, parsed.microseconds) else {
            throw KMIPError(.invalidValue, "'\(text)' is beyond the range of a Date-Time Extended")
        }
        return microseconds
    }

    static func parseISO8601(_ text: Substring) -> (seconds: Int64, microseconds: Int64)? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var result: Int64 = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                result = result * 10 + Int64(byte - 0x30)
            }
            index += count
            return result
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == character else { return false }
            index += 1
            return true
        }
        var sign: Int64 = 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { sign = -1; index += 1 }
        // A year of four digits or more (xsd:dateTime), up to twelve so that it fits in 64 bits.
        var yearDigits = 0
        while index + yearDigits < bytes.count, (0x30...0x39).contains(bytes[index + yearDigits]) { yearDigits += 1 }
        guard (4...12).contains(yearDigits), let year = number(yearDigits), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")),
            let day = number(2), expect(UInt8(ascii: "T")) || expect(UInt8(ascii: "t")) || expect(UInt8(ascii: " ")),
            let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2), expect(UInt8(ascii: ":")),
            let second = number(2),
            (1...12).contains(month), (1...31).contains(day), hour <= 24, minute <= 59, second <= 60
        else { return nil }
        var microseconds: Int64 = 0
        if expect(UInt8(ascii: ".")) {
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if digits < 6 { microseconds = microseconds * 10 + Int64(bytes[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { microseconds *= 10 }
        }
        var offset: Int64 = 0
        if index < bytes.count {
            if expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) {
            } else {
                let zoneSign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return nil }
                index += 1
                guard let zoneHour = number(2), expect(UInt8(ascii: ":")), let zoneMinute = number(2), zoneHour <= 14, zoneMinute <= 59 else {
                    return nil
                }
                offset = zoneSign * (zoneHour * 3600 + zoneMinute * 60)
            }
        }
        guard index == bytes.count, year < 1_000_000_000_000 else { return nil }
        // Fold the zone offset into the time of day first, so that the extremes stay in range.
        let (extraDays, secondOfDay) = CivilTime.floorDivision(hour * 3600 + minute * 60 + second - offset, 86_400)
        let (days, overflow) = CivilTime.days(fromYear: sign * year, month: month, day: day).addingReportingOverflow(extraDays)
        guard !overflow, let seconds = CivilTime.combine(days, 86_400, secondOfDay) else { return nil }
        return (seconds, microseconds)
    }

    // MARK: - Writing

    /// The canonical text of a value (see docs/TextEncodings.md).
    ///
    /// - Parameter maskSeparator: `" "` for XML, `"|"` for JSON.
    static func format(_ value: KMIPItem.Value, context: ValueContext, version: KMIPVersion?, registry: KMIPRegistry, maskSeparator: String) -> String {
        switch value {
        case .structure: return ""
        case .integer(let number):
            if let mask = context.enumeration, mask.kind == .mask, number != 0 {
                let bits = UInt32(bitPattern: number)
                return mask.maskComponents(for: bits, in: version).joined(separator: maskSeparator)
            }
            return String(number)
        case .longInteger(let number): return String(number)
        case .bigInteger(let number): return Hex.encode(number.paddedBytes, lowercase: true)
        case .enumeration(let raw):
            if context.valuesAreTags, let definition = registry.definition(of: Tag(rawValue: raw)) { return definition.xmlName }
            if let entry = context.enumeration?.entry(for: raw, in: version) { return entry.xmlName }
            return "0x" + hexDigits(UInt64(raw), width: 8)
        case .boolean(let flag): return flag ? "true" : "false"
        case .textString(let text): return text
        case .byteString(let bytes): return Hex.encode(bytes, lowercase: true)
        case .dateTime(let seconds): return iso8601(seconds: seconds, microseconds: nil)
        case .interval(let seconds): return String(seconds)
        case .dateTimeExtended(let microseconds):
            let (seconds, fraction) = CivilTime.floorDivision(microseconds, 1_000_000)
            return iso8601(seconds: seconds, microseconds: fraction)
        }
    }

    /// `2001-01-01T00:00:00+00:00`, with six fraction digits when `microseconds` is given.
    static func iso8601(seconds: Int64, microseconds: Int64?) -> String {
        var text = CivilTime.iso8601(seconds: seconds)
        text.removeLast()  // the Z
        if let microseconds {
            let digits = String(microseconds)
            text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        return text + "+00:00"
    }
}
