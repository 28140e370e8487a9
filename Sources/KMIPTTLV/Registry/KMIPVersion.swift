// swift-kmip: KMIPTTLV
//
// KMIP protocol versions and sets of them.

/// A KMIP protocol version, `major.minor` (the Protocol Version structure of every message).
public struct KMIPVersion: Hashable, Sendable, Comparable {
    /// The major version.
    public var major: Int32
    /// The minor version.
    public var minor: Int32

    /// Creates a version.
    public init(_ major: Int32, _ minor: Int32) {
        self.major = major
        self.minor = minor
    }

    public static let v1_0 = KMIPVersion(1, 0)
    public static let v1_1 = KMIPVersion(1, 1)
    public static let v1_2 = KMIPVersion(1, 2)
    public static let v1_3 = KMIPVersion(1, 3)
    public static let v1_4 = KMIPVersion(1, 4)
    public static let v2_0 = KMIPVersion(2, 0)
    public static let v2_1 = KMIPVersion(2, 1)

    /// The versions whose specification tables the registry holds, oldest first.
    public static let specified: [KMIPVersion] = [.v1_0, .v1_1, .v1_2, .v1_3, .v1_4, .v2_0, .v2_1]

    public static func < (lhs: KMIPVersion, rhs: KMIPVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }
}

extension KMIPVersion: CustomStringConvertible {
    /// `1.4`, `2.0`.
    public var description: String { "\(major).\(minor)" }
}

extension KMIPVersion {
    /// Parses `1.4` or `2.0`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let major = Int32(parts[0]), let minor = Int32(parts[1]) else { return nil }
        self.init(major, minor)
    }
}

/// A set of the specified KMIP versions (1.0 to 2.1): which versions define a tag or value.
public struct KMIPVersionSet: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The set holding just `version`, empty for a version the registry does not specify.
    public init(_ version: KMIPVersion) {
        guard let index = KMIPVersion.specified.firstIndex(of: version) else {
            self.init(rawValue: 0)
            return
        }
        self.init(rawValue: 1 << UInt8(index))
    }

    /// Every specified version.
    public static let all = KMIPVersionSet(rawValue: 0x7F)

    /// Whether `version` is in the set.
    public func contains(_ version: KMIPVersion) -> Bool {
        let single = KMIPVersionSet(version)
        return !single.isEmpty && isSuperset(of: single)
    }

    /// The versions in the set, oldest first.
    public var versions: [KMIPVersion] {
        KMIPVersion.specified.filter { contains($0) }
    }
}

extension KMIPVersionSet: CustomStringConvertible {
    /// `1.0,1.1,2.0`, as the specification tables write it.
    public var description: String { versions.map(\.description).joined(separator: ",") }
}
