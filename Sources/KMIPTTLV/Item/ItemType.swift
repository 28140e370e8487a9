// swift-kmip: KMIPTTLV
//
// The item types of KMIP 1.0 to 2.1.

/// The type byte of a TTLV item (KMIP 1.x §9.1.1.2, 2.x §11.23 Item Type Enumeration).
///
/// An open set, so that a type byte the library does not know can be named in errors.
public struct ItemType: RawRepresentable, Hashable, Sendable {
    /// The type byte as it appears on the wire.
    public var rawValue: UInt8

    @inlinable
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// A structure of other items (0x01).
    public static let structure = ItemType(rawValue: 0x01)
    /// A 32-bit signed integer (0x02).
    public static let integer = ItemType(rawValue: 0x02)
    /// A 64-bit signed integer (0x03).
    public static let longInteger = ItemType(rawValue: 0x03)
    /// An arbitrary-precision two's complement integer (0x04).
    public static let bigInteger = ItemType(rawValue: 0x04)
    /// A 32-bit unsigned enumeration value (0x05).
    public static let enumeration = ItemType(rawValue: 0x05)
    /// A Boolean, eight bytes on the wire (0x06).
    public static let boolean = ItemType(rawValue: 0x06)
    /// A UTF-8 text string (0x07).
    public static let textString = ItemType(rawValue: 0x07)
    /// A string of bytes (0x08).
    public static let byteString = ItemType(rawValue: 0x08)
    /// Seconds since the POSIX epoch, 64-bit signed (0x09).
    public static let dateTime = ItemType(rawValue: 0x09)
    /// A number of seconds, 32-bit unsigned (0x0A).
    public static let interval = ItemType(rawValue: 0x0A)
    /// Microseconds since the POSIX epoch, 64-bit signed; KMIP 2.0 and later (0x0B).
    public static let dateTimeExtended = ItemType(rawValue: 0x0B)

    /// The eleven item types of KMIP 1.0 to 2.1, in type-byte order.
    public static let allKnown: [ItemType] = [
        .structure, .integer, .longInteger, .bigInteger, .enumeration, .boolean,
        .textString, .byteString, .dateTime, .interval, .dateTimeExtended,
    ]

    /// Whether the type byte is one of ``allKnown``.
    @inlinable
    public var isKnown: Bool { rawValue >= 0x01 && rawValue <= 0x0B }

    /// The type name used by the XML and JSON encodings (`TextString`, `DateTimeExtended`, …).
    public var name: String {
        switch self {
        case .structure: "Structure"
        case .integer: "Integer"
        case .longInteger: "LongInteger"
        case .bigInteger: "BigInteger"
        case .enumeration: "Enumeration"
        case .boolean: "Boolean"
        case .textString: "TextString"
        case .byteString: "ByteString"
        case .dateTime: "DateTime"
        case .interval: "Interval"
        case .dateTimeExtended: "DateTimeExtended"
        default: "0x" + hexDigits(UInt64(rawValue), width: 2)
        }
    }

    /// The type whose XML/JSON name is `name`, if any.
    public init?(name: String) {
        switch name {
        case "Structure": self = .structure
        case "Integer": self = .integer
        case "LongInteger": self = .longInteger
        case "BigInteger": self = .bigInteger
        case "Enumeration": self = .enumeration
        case "Boolean": self = .boolean
        case "TextString": self = .textString
        case "ByteString": self = .byteString
        case "DateTime": self = .dateTime
        case "Interval": self = .interval
        case "DateTimeExtended": self = .dateTimeExtended
        default: return nil
        }
    }

    /// The fixed value length of this type on the wire, or `nil` when the length varies.
    @inlinable
    public var fixedLength: Int? {
        switch rawValue {
        case 0x02, 0x05, 0x0A: 4
        case 0x03, 0x06, 0x09, 0x0B: 8
        default: nil
        }
    }
}

extension ItemType: CustomStringConvertible {
    public var description: String { name }
}
