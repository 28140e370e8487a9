// swift-kmip: KMIPTTLV
//
// How strictly, and within which limits, TTLV input is decoded.

/// Wire rules and resource limits for decoding TTLV (KMIP 1.x §9.1, 2.x §10.1).
///
/// The defaults are safe for untrusted input: a message of at most 16 MiB, nesting at most 64
/// structures deep and at most 100,000 items. Decoding never allocates more than the input
/// holds, whatever a length field claims.
public struct TTLVDecodingOptions: Hashable, Sendable {
    /// How closely the input must follow the specification's wire rules.
    public enum Strictness: Hashable, Sendable {
        /// Exactly the specification: zero padding, Boolean 0 or 1, Big Integer lengths a
        /// multiple of eight.
        case strict
        /// What real servers send: padding bytes are not checked and may be missing at the end
        /// of a structure, any non-zero Boolean is true, Big Integers of any length are read.
        case tolerant
    }

    /// How closely the input must follow the wire rules; ``Strictness-swift.enum/strict`` by default.
    public var strictness: Strictness
    /// The largest message accepted, in bytes (header included); 16 MiB by default.
    public var maximumMessageSize: Int
    /// The deepest nesting of structures accepted; 64 by default (KMIP messages need about 10).
    public var maximumDepth: Int
    /// The most items one message may hold; 100,000 by default.
    public var maximumItemCount: Int

    /// Creates options; every parameter has a safe default.
    public init(
        strictness: Strictness = .strict,
        maximumMessageSize: Int = 16 * 1024 * 1024,
        maximumDepth: Int = 64,
        maximumItemCount: Int = 100_000
    ) {
        self.strictness = strictness
        self.maximumMessageSize = maximumMessageSize
        self.maximumDepth = maximumDepth
        self.maximumItemCount = maximumItemCount
    }

    /// Strict wire rules with the default limits.
    public static let strict = TTLVDecodingOptions()
    /// Tolerant wire rules with the default limits: for reading what servers send.
    public static let tolerant = TTLVDecodingOptions(strictness: .tolerant)
}
