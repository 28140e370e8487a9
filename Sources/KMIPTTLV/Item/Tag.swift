// swift-kmip: KMIPTTLV
//
// A KMIP tag: the three-byte identifier that names every item.

/// A KMIP tag, the three-byte number that names an item (KMIP 1.x §9.1.1.1, 2.x §10.1.1).
///
/// Tags are an open set: the standard ones are `static let` values generated from the
/// specification (``Tag/uniqueIdentifier``, ``Tag/requestMessage``, …), and any other value,
/// such as a vendor extension tag in the `0x54XXXX` range, is kept as it is.
public struct Tag: RawRepresentable, Hashable, Sendable {
    /// The tag value; only the low 24 bits are used on the wire.
    public var rawValue: UInt32

    /// Creates a tag from its numeric value, for example `0x420094`.
    @inlinable
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Whether the tag is in the extension range `0x540000`…`0x54FFFF` that vendors use.
    @inlinable
    public var isExtension: Bool { rawValue & 0xFF_0000 == 0x54_0000 }

    /// The tag as `0x` and six uppercase hex digits, the form the XML and JSON encodings use.
    public var hexString: String {
        "0x" + hexDigits(UInt64(rawValue), width: 6)
    }
}

extension Tag: Comparable {
    @inlinable
    public static func < (lhs: Tag, rhs: Tag) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Tag: CustomStringConvertible {
    /// The tag's XML name when the standard registry knows it, else its hex form.
    public var description: String {
        KMIPRegistry.standard.definition(of: self)?.xmlName ?? hexString
    }
}

/// Uppercase hex digits of `value`, left-padded with zeros to `width`.
@usableFromInline
package func hexDigits(_ value: UInt64, width: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
