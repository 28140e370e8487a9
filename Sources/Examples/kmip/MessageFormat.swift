// swift-kmip: the `kmip` command line tool.
//
// Reading and writing messages in the formats the tool speaks.

import ArgumentParser
import Foundation
import KMIPXML

/// A format the tool reads or writes messages in.
enum MessageFormat: String, ExpressibleByArgument, CaseIterable {
    /// Raw TTLV bytes, messages back to back.
    case ttlv
    /// TTLV as hex text, one message per line.
    case hex
    /// The KMIP XML encoding.
    case xml
    /// The KMIP JSON encoding.
    case json
    /// The readable dump (output only).
    case text

    /// Guesses the format of input from its first non-blank byte.
    static func sniff(_ data: [UInt8]) -> MessageFormat {
        guard let first = data.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else { return .hex }
        switch first {
        case UInt8(ascii: "<"): return .xml
        case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
        case 0x42, 0x54: return .ttlv  // the first byte of a standard or extension tag
        default: return .hex
        }
    }
}

/// A failure the tool reports on stderr with a non-zero exit status.
struct ToolError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Messages read from input, and whether they came as a document (a `<KMIP>` element, a JSON
/// array, several messages) rather than one bare message.
struct MessageSet {
    var messages: [KMIPTestCase.Message]
    var isDocument: Bool

    /// The trees, with every placeholder refused: TTLV cannot carry a symbol.
    func itemsWithoutPlaceholders() throws -> [KMIPItem] {
        try messages.enumerated().map { index, message in
            if let placeholder = message.placeholders.first {
                throw ToolError("message \(index + 1) holds the placeholder \(placeholder.text); TTLV cannot carry it (convert to xml or json instead)")
            }
            return message.item
        }
    }
}

enum MessageIO {
    /// Reads all of a file, or standard input when `path` is nil or `-`.
    static func readInput(_ path: String?) throws -> [UInt8] {
        if let path, path != "-" {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ToolError("cannot read \(path)")
            }
            return [UInt8](data)
        }
        return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
    }

    /// Splits input into the messages it holds.
    static func decodeMessages(_ input: [UInt8], format: MessageFormat, options: TTLVDecodingOptions) throws -> MessageSet {
        func set(_ items: [KMIPItem]) -> MessageSet {
            MessageSet(messages: items.map { KMIPTestCase.Message(item: $0) }, isDocument: items.count != 1)
        }
        switch format {
        case .ttlv:
            var framer = TTLVFrameDecoder(maximumMessageSize: options.maximumMessageSize)
            framer.append(input)
            var items: [KMIPItem] = []
            let decoder = TTLVDecoder(options: options)
            var offset = 0
            while let message = try framer.nextMessage() {
                do {
                    items.append(try decoder.decode(message))
                } catch var error as KMIPError {
                    error.byteOffset = error.byteOffset.map { $0 + offset }
                    throw error
                }
                offset += message.count
            }
            if framer.bufferedByteCount > 0 {
                throw KMIPError(.truncated, "\(framer.bufferedByteCount) bytes at the end do not make a whole message", byteOffset: offset)
            }
            return set(items)
        case .hex:
            let text = String(decoding: input, as: UTF8.self)
            var items: [KMIPItem] = []
            let decoder = TTLVDecoder(options: options)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                do {
                    let bytes = try Hex.decode(trimmed, ignoring: [" ", "|", "\t"])
                    items.append(try decoder.decode(bytes))
                } catch var error as KMIPError {
                    error.line = index + 1
                    throw error
                }
            }
            return set(items)
        case .xml:
            let document = try KMIPXMLDecoder().decodeDocument(input, recordingPlaceholders: true)
            return MessageSet(messages: document.messages, isDocument: document.isWrapped || document.messages.count != 1)
        case .json:
            let document = try KMIPJSONDecoder().decodeDocument(input, recordingPlaceholders: true)
            return MessageSet(messages: document.messages, isDocument: document.isWrapped || document.messages.count != 1)
        case .text:
            throw ToolError("text is an output format only")
        }
    }

    /// Writes messages in `format`: one hex line per message; a bare XML element or JSON object
    /// for a single message, a `<KMIP>` document or JSON array for a document.
    static func encodeMessages(_ set: MessageSet, format: MessageFormat, revealSecrets: Bool) throws -> [UInt8] {
        let encoder = TTLVEncoder()
        switch format {
        case .ttlv:
            var bytes: [UInt8] = []
            for item in try set.itemsWithoutPlaceholders() { try encoder.encode(item, into: &bytes) }
            return bytes
        case .hex:
            return Array(try set.itemsWithoutPlaceholders().map { Hex.encode(try encoder.encode($0)) + "\n" }.joined().utf8)
        case .text:
            return Array(set.messages.map { $0.item.dump(revealingSecrets: revealSecrets) }.joined(separator: "\n").utf8)
        case .xml:
            if !set.isDocument, let only = set.messages.first, only.placeholders.isEmpty {
                return Array(KMIPXMLEncoder().encode(only.item).utf8)
            }
            return Array(KMIPTestCase(messages: set.messages).xml().utf8)
        case .json:
            if !set.isDocument, let only = set.messages.first, only.placeholders.isEmpty {
                return Array(KMIPJSONEncoder().encode(only.item).utf8)
            }
            return Array(KMIPTestCase(messages: set.messages).json().utf8)
        }
    }
}
