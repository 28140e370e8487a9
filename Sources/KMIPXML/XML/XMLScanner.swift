// swift-kmip: KMIPXML
//
// A small, strict XML 1.0 scanner for the subset KMIP documents use: elements with attributes,
// comments, processing instructions, CDATA and character data (which KMIP ignores). It checks
// well-formedness (matching tags, quoted attributes, valid references, a single root) and
// refuses document type declarations, so no entity can expand.
//
// It replaces FoundationXML's XMLParser, which on Linux (Swift 6.3) traps on some invalid
// UTF-8, leaks memory on every parse error, stops at about 9 MB and ran KMIP documents at
// half the speed this scanner does (see docs/TextEncodings.md).

/// One event of an XML document.
enum XMLEvent {
    /// A start tag; `isEmpty` for `<name/>`, which is followed by no `end` event.
    case start(name: String, attributes: [(name: String, value: String)], isEmpty: Bool)
    /// An end tag.
    case end(name: String)
}

struct XMLScanner {
    private let bytes: [UInt8]
    private var index = 0
    /// The line of the current position (1-based).
    private(set) var line = 1
    private var open: [String] = []
    private var sawRoot = false

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // a UTF-8 byte order mark
    }

    /// The depth of open elements.
    var depth: Int { open.count }

    private func error(_ reason: String) -> KMIPError {
        KMIPError(.malformedInput, "not well-formed XML: \(reason)", line: line)
    }

    @inline(__always)
    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }

    @inline(__always)
    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"), 0x80...0xFF:
            true
        default: false
        }
    }

    private mutating func skipSpaces() {
        while index < bytes.count, Self.isSpace(bytes[index]) {
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
    }

    /// Moves past `terminator`, counting lines; throws `unterminated` if it never comes.
    private mutating func skip(past terminator: [UInt8], unterminated: String) throws {
        while index < bytes.count {
            if bytes[index] == terminator[0], bytes[index...].starts(with: terminator) {
                index += terminator.count
                return
            }
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
        throw error(unterminated)
    }

    private mutating func name() throws -> String {
        let start = index
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        guard index > start, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[start]), bytes[start] != UInt8(ascii: "-"),
            bytes[start] != UInt8(ascii: ".")
        else {
            throw error(index < bytes.count ? "expected a name at '\(Unicode.Scalar(bytes[index]))'" : "expected a name at the end of the input")
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// The next start or end tag, or `nil` at the end of a well-formed document.
    mutating func next() throws -> XMLEvent? {
        while true {
            // Character data between tags: KMIP ignores it (`# TIME 0` lines, whitespace).
            while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
                let byte = bytes[index]
                if byte == 0x0A { line += 1 }
                if byte == UInt8(ascii: "&") { _ = try reference() } else { index += 1 }
            }
            guard index < bytes.count else {
                if let unclosed = open.last { throw error("<\(unclosed)> is not closed") }
                guard sawRoot else { throw error("no element") }
                return nil
            }
            switch peek(1) {
            case UInt8(ascii: "?"):
                try skip(past: Array("?>".utf8), unterminated: "unterminated processing instruction")
            case UInt8(ascii: "!"):
                if bytes[index...].starts(with: Array("<!--".utf8)) {
                    index += 4
                    try skip(past: Array("-->".utf8), unterminated: "unterminated comment")
                } else if bytes[index...].starts(with: Array("<![CDATA[".utf8)) {
                    guard !open.isEmpty else { throw error("CDATA outside the root element") }
                    try skip(past: Array("]]>".utf8), unterminated: "unterminated CDATA section")
                } else if bytes[index...].starts(with: Array("<!DOCTYPE".utf8)) {
                    throw error("document type declarations are not accepted")
                } else {
                    throw error("unexpected '<!'")
                }
            case UInt8(ascii: "/"):
                index += 2
                let name = try name()
                skipSpaces()
                guard peek() == UInt8(ascii: ">") else { throw error("expected '>' to end </\(name)") }
                index += 1
                guard let expected = open.popLast() else { throw error("</\(name)> closes nothing") }
                guard expected == name else { throw error("</\(name)> closes <\(expected)>") }
                return .end(name: name)
            default:
                index += 1
                guard open.count > 0 || !sawRoot else { throw error("a second root element") }
                let name = try name()
                var attributes: [(name: String, value: String)] = []
                while true {
                    let hadSpace = index < bytes.count && Self.isSpace(bytes[index])
                    skipSpaces()
                    guard let byte = peek() else { throw error("unterminated start tag <\(name)") }
                    if byte == UInt8(ascii: ">") {
                        index += 1
                        open.append(name)
                        sawRoot = true
                        return .start(name: name, attributes: attributes, isEmpty: false)
                    }
                    if byte == UInt8(ascii: "/") {
                        guard peek(1) == UInt8(ascii: ">") else { throw error("expected '/>' in <\(name)") }
                        index += 2
                        sawRoot = true
                        return .start(name: name, attributes: attributes, isEmpty: true)
                    }
                    guard hadSpace else { throw error("expected a space before an attribute in <\(name)") }
                    let attribute = try self.name()
                    skipSpaces()
                    guard peek() == UInt8(ascii: "=") else { throw error("expected '=' after \(attribute) in <\(name)") }
                    index += 1
                    skipSpaces()
                    let value = try attributeValue()
                    guard !attributes.contains(where: { $0.name == attribute }) else {
                        throw error("attribute \(attribute) appears twice in <\(name)")
                    }
                    attributes.append((attribute, value))
                }
            }
        }
    }

    /// A quoted attribute value, references resolved and white space normalised (XML 1.0 §3.3.3).
    private mutating func attributeValue() throws -> String {
        guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
            throw error("attribute value is not quoted")
        }
        index += 1
        let start = index
        // Fast path: no reference and no white space to normalise.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                let value = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return value
            }
            if byte == UInt8(ascii: "&") || byte == 0x0A || byte == 0x09 || byte == 0x0D { break }
            if byte == UInt8(ascii: "<") { throw error("'<' in an attribute value") }
            if byte < 0x20 { throw error("control character 0x\(String(byte, radix: 16)) in an attribute value (write it as &#\(byte);)") }
            index += 1
        }
        var value = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case quote:
                index += 1
                return String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "&"):
                value.append(contentsOf: try reference())
            case UInt8(ascii: "<"):
                throw error("'<' in an attribute value")
            case 0x00..<0x20 where byte != 0x0A && byte != 0x09 && byte != 0x0D:
                throw error("control character 0x\(String(byte, radix: 16)) in an attribute value (write it as &#\(byte);)")
            case 0x0A, 0x09, 0x0D:
                if byte == 0x0A { line += 1 }
                // A CR LF pair is one line break, which becomes one space.
                if byte == 0x0D, peek(1) == 0x0A { index += 1; line += 1 }
                value.append(0x20)
                index += 1
            default:
                value.append(byte)
                index += 1
            }
        }
        throw error("unterminated attribute value")
    }

    /// The UTF-8 of the reference at the current `&`: `&lt;`, `&#10;`, `&#x1F600;` …
    private mutating func reference() throws -> [UInt8] {
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: ";"), index - start < 12 { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: ";") else { throw error("'&' does not start a reference") }
        let body = String(decoding: bytes[start..<index], as: UTF8.self)
        index += 1
        switch body {
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "amp": return [UInt8(ascii: "&")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default:
            var code: UInt32?
            if body.hasPrefix("#x") { code = UInt32(body.dropFirst(2), radix: 16) } else if body.hasPrefix("#") { code = UInt32(body.dropFirst(), radix: 10) }
            // Control characters are accepted as references (as XML 1.1 allows), so that any
            // KMIP Text String survives a round trip through XML.
            guard let code, let scalar = Unicode.Scalar(code) else {
                throw error("&\(body); is not a character reference")
            }
            return Array(String(Character(scalar)).utf8)
        }
    }
}
