// swift-kmip: KMIPTTLV
//
// The one error type of the codecs, the models and the transports.

/// An error from decoding, encoding or handling KMIP data.
///
/// Every error carries a ``Code`` to switch on, a human-readable ``reason``, and where it
/// applies the ``tagPath`` from the message root to the offending item and the ``byteOffset``
/// (or line, for text encodings) where it was found. Two errors are equal when their codes are.
///
/// A failure that a KMIP server reports (Result Status Operation Failed) is not a `KMIPError`:
/// it is a value of the response.
public struct KMIPError: Error, Hashable, Sendable {
    /// What kind of error this is; an open set so that later modules can add codes.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The input ended inside an item header or value.
        public static let truncated = Code(rawValue: "truncated")
        /// A length field is impossible: beyond the enclosing item, wrong for a fixed-size type.
        public static let invalidLength = Code(rawValue: "invalidLength")
        /// An item type byte or type name is not one of KMIP's.
        public static let unknownItemType = Code(rawValue: "unknownItemType")
        /// A value is not valid for its type (bad UTF-8, a Boolean other than 0 or 1, bad text form).
        public static let invalidValue = Code(rawValue: "invalidValue")
        /// Padding bytes that must be zero are not.
        public static let nonZeroPadding = Code(rawValue: "nonZeroPadding")
        /// Bytes follow the end of the message.
        public static let trailingBytes = Code(rawValue: "trailingBytes")
        /// A configured limit (message size, nesting depth, item count) was exceeded.
        public static let limitExceeded = Code(rawValue: "limitExceeded")
        /// A name (tag, enumeration value, type) is not known to the registry.
        public static let unknownName = Code(rawValue: "unknownName")
        /// The input is not well-formed in its encoding (XML, JSON, hex).
        public static let malformedInput = Code(rawValue: "malformedInput")
        /// An item has a different tag or type than the structure requires.
        public static let unexpectedItem = Code(rawValue: "unexpectedItem")
        /// A required field is missing.
        public static let missingField = Code(rawValue: "missingField")
    }

    /// What kind of error this is.
    public var code: Code
    /// What was wrong, in words.
    public var reason: String
    /// The tags from the message root down to the item where the error was found.
    public var tagPath: [Tag]
    /// The offset in the input where the error was found: a byte offset for TTLV.
    public var byteOffset: Int?
    /// The line of text input where the error was found, for the text encodings.
    public var line: Int?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, tagPath: [Tag] = [], byteOffset: Int? = nil, line: Int? = nil) {
        self.code = code
        self.reason = reason
        self.tagPath = tagPath
        self.byteOffset = byteOffset
        self.line = line
    }

    public static func == (lhs: KMIPError, rhs: KMIPError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension KMIPError: CustomStringConvertible {
    /// `invalidLength at byte 24, RequestMessage/RequestHeader/BatchCount: …`
    public var description: String {
        var location: [String] = []
        if let byteOffset { location.append("byte \(byteOffset)") }
        if let line { location.append("line \(line)") }
        if !tagPath.isEmpty { location.append(tagPath.map(\.description).joined(separator: "/")) }
        let at = location.isEmpty ? "" : " at " + location.joined(separator: ", ")
        return "\(code)\(at): \(reason)"
    }
}
