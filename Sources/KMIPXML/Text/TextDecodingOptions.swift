// swift-kmip: KMIPXML
//
// Limits for reading the text encodings.

@_exported import KMIPTTLV

/// Limits and the registry for reading KMIP XML and JSON.
///
/// The defaults are safe for untrusted input: documents of at most 16 MiB, nesting at most 64
/// deep, at most 1,000,000 items.
public struct TextDecodingOptions: Sendable {
    /// Names tags and enumeration values; add vendor extensions to a copy of the standard one.
    public var registry: KMIPRegistry
    /// The largest document accepted, in bytes.
    public var maximumDocumentSize: Int
    /// The deepest nesting of elements or objects accepted.
    public var maximumDepth: Int
    /// The most items one document may hold.
    public var maximumItemCount: Int

    /// Creates options; every parameter has a safe default.
    public init(
        registry: KMIPRegistry = .standard,
        maximumDocumentSize: Int = 16 * 1024 * 1024,
        maximumDepth: Int = 64,
        maximumItemCount: Int = 1_000_000
    ) {
        self.registry = registry
        self.maximumDocumentSize = maximumDocumentSize
        self.maximumDepth = maximumDepth
        self.maximumItemCount = maximumItemCount
    }
}
