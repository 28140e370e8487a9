// swift-kmip: KMIP
//
// Redacted descriptions for models that hold key material, passwords or cryptographic data.

/// A model holding secrets (key material, passwords, the Data of cryptographic operations): its
/// description, debug description and mirror never show them.
///
/// The description is the tree dump with the sensitive values replaced by their length
/// (`KMIPItem.sensitiveTags`). To see them, encode the value and dump the tree with
/// `dump(revealingSecrets: true)`.
public protocol KMIPSensitive: KMIPCodable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}

extension KMIPSensitive {
    public var description: String {
        for version in [KMIPVersion.v2_1, .v1_4] {
            if let item = try? kmipItem(tag: .attributeValue, context: KMIPEncodingContext(version: version)) {
                let dump = item.dump(version: version)
                return "\(Self.self) " + dump.drop { $0 != "(" }.drop { $0 != " " }.dropFirst().description
            }
        }
        return "\(Self.self)(<redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror { Mirror(self, children: ["redacted": description], displayStyle: .struct) }
}
