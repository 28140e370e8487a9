// swift-kmip: KMIP
//
// Typed enumerations and masks: open structs, so vendor values (0x8XXXXXXX) and values of newer
// specifications round-trip (KMIP 1.x §9.1.3.2, §9.1.3.3; 2.x §11, §12).

/// A KMIP enumeration: an open set of 32-bit values with names from the specification.
///
/// Every enumeration of KMIP 1.0 to 2.1 is a generated struct conforming to this protocol, with a
/// `static let` per specified value. Any other value (a vendor extension) is kept as it is.
public protocol KMIPEnumeration: RawRepresentable, Hashable, Sendable, KMIPCodable, CustomStringConvertible
where RawValue == UInt32 {
    /// The enumeration's name in the specification (and in `KMIPRegistry`).
    static var enumerationName: String { get }
    /// Creates a value from its number.
    init(rawValue: UInt32)
}

extension KMIPEnumeration {
    /// Reads an Enumeration item.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .enumeration(let value) = item.value else { throw typeMismatch(.enumeration, item) }
        self.init(rawValue: value)
    }

    /// Writes an Enumeration item.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        KMIPItem(tag, .enumeration(rawValue))
    }

    /// The value's name in the specification, or its number in hex (`0x80000001`).
    public var description: String {
        if let entry = KMIPRegistry.standard.enumeration(named: Self.enumerationName)?.entry(for: rawValue) {
            return entry.name
        }
        return "0x" + hexDigits(UInt64(rawValue), width: 8)
    }

    /// The value whose specification name (`AES`, `Symmetric Key`) or XML name (`SymmetricKey`)
    /// is `name`, or `nil`.
    public init?(named name: String) {
        guard let value = KMIPRegistry.standard.enumeration(named: Self.enumerationName)?.value(named: name) else {
            return nil
        }
        self.init(rawValue: value)
    }
}

/// A KMIP bit mask (Cryptographic Usage Mask, Storage Status Mask, Protection Storage Mask),
/// written as an Integer item.
public protocol KMIPMask: OptionSet, Hashable, Sendable, KMIPCodable, CustomStringConvertible
where RawValue == UInt32, Element == Self {
    /// The mask's name in the specification (and in `KMIPRegistry`).
    static var enumerationName: String { get }
}

extension KMIPMask {
    /// Reads an Integer item as a mask.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .integer(let value) = item.value else { throw typeMismatch(.integer, item) }
        self.init(rawValue: UInt32(bitPattern: value))
    }

    /// Writes the mask as an Integer item.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        KMIPItem(tag, .integer(Int32(bitPattern: rawValue)))
    }

    /// The names of the bits set, joined by `|` (unnamed bits in hex).
    public var description: String {
        guard let definition = KMIPRegistry.standard.enumeration(named: Self.enumerationName) else {
            return "0x" + hexDigits(UInt64(rawValue), width: 8)
        }
        let (entries, unnamed) = definition.maskEntries(for: rawValue)
        var names = entries.map(\.name)
        if unnamed != 0 { names.append("0x" + hexDigits(UInt64(unnamed), width: 8)) }
        return names.isEmpty ? "[]" : names.joined(separator: "|")
    }
}

/// An Enumeration value of a field the specification gives no named values for.
public struct RawEnumeration: KMIPEnumeration {
    public static var enumerationName: String { "" }
    /// The number.
    public var rawValue: UInt32
    /// Creates a value from its number.
    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }
}
