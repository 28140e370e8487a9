// swift-kmip: ClipSupport
//
// The clips' keys on the KMIP server: created, fetched, asked about, retired.

import Foundation
import KMIP

/// The KMIP side of the camera and the viewer.
public enum ClipKeys {
    /// The AES key bytes of `id`, fetched with Get (16 or 32 bytes, as the key manager made them).
    public static func material(_ client: KMIPClient, _ id: UniqueIdentifier) async throws -> [UInt8] {
        let response = try await client.get(id)
        guard let bytes = response.object.keyBlock?.keyBytes else {
            throw ClipStoreError("KMIP object \(id) is not a key with plain key material")
        }
        guard bytes.count == 16 || bytes.count == 32 else {
            throw ClipStoreError("KMIP key \(id) is \(bytes.count * 8) bits; sealing takes AES-128 or AES-256 keys")
        }
        return bytes
    }

    /// Creates and activates an AES-256 key for sealing clips, with a Name and an Object Group
    /// (and, when given, custom attributes such as `x-Camera-ID`, which not every server takes).
    public static func createClipKey(
        _ client: KMIPClient, name: String, objectGroup: String?, customAttributes: [String: String] = [:]
    ) async throws -> UniqueIdentifier {
        var extra = Attributes()
        for (attributeName, value) in customAttributes.sorted(by: { $0.key < $1.key }) {
            extra.list.append(try Attribute(name: AttributeName(attributeName), value))
        }
        let id = try await client.createSymmetricKey(algorithm: .aes, length: 256, name: name, objectGroup: objectGroup, attributes: extra)
        try await client.activate(id)
        return id
    }

    /// The key's state as the server says, or why it cannot say (`not found`).
    public static func stateText(_ client: KMIPClient, _ id: UniqueIdentifier) async -> String {
        do {
            let attributes = try await client.getAttributes(id, [.state])
            return attributes.state.map { Self.describe($0) } ?? "unknown"
        } catch let error as KMIPOperationError {
            switch error.resultReason {
            case .itemNotFound?, .objectNotFound?: return "not found"
            case .permissionDenied?: return "not permitted"
            default: return "error: \(error.resultReason.map { "\($0)" } ?? "\(error.resultStatus)")"
            }
        } catch {
            return "unreachable"
        }
    }

    /// A state as people write it (`Active`, `Destroyed Compromised`).
    public static func describe(_ state: State) -> String {
        switch state {
        case .preActive: "Pre-Active"
        case .active: "Active"
        case .deactivated: "Deactivated"
        case .compromised: "Compromised"
        case .destroyed: "Destroyed"
        case .destroyedCompromised: "Destroyed Compromised"
        default: "\(state)"
        }
    }
}
