// swift-kmip: KMIPServer
//
// Who may do what to objects they do not own.

import Foundation
import KMIP

/// The server's access rules beyond ownership.
///
/// An object belongs to the identity that created or registered it, and its owner may do
/// anything to it. Another identity may perform an operation on it only when a grant names that
/// identity (or `*`), one of the object's Object Groups, and the operation. Locate finds the
/// objects an identity owns and those a grant lets it Locate.
///
/// The policy file is JSON; operations by their specification names:
///
/// ```json
/// {
///   "grants": [
///     { "identity": "viewer", "objectGroup": "camera", "operations": ["Get", "Get Attributes", "Locate"] },
///     { "identity": "admin",  "objectGroup": "camera", "operations": ["Get Attributes", "Locate", "Revoke", "Destroy"] }
///   ]
/// }
/// ```
public struct KMIPAccessPolicy: Hashable, Sendable {
    /// One grant: `identity` may perform `operations` on objects in `objectGroup`.
    public struct Grant: Hashable, Sendable {
        /// The client identity (certificate subject common name), or `*` for every identity.
        public var identity: String
        /// The Object Group the grant covers.
        public var objectGroup: String
        /// The operations granted.
        public var operations: Set<KMIP.Operation>

        /// Creates a grant.
        public init(identity: String, objectGroup: String, operations: Set<KMIP.Operation>) {
            self.identity = identity
            self.objectGroup = objectGroup
            self.operations = operations
        }
    }

    /// The grants.
    public var grants: [Grant]

    /// A policy with `grants`.
    public init(grants: [Grant] = []) { self.grants = grants }

    /// Owners only: no grants.
    public static let ownerOnly = KMIPAccessPolicy()

    /// Whether `identity` may perform `operation` on an object in `objectGroups` it does not own.
    public func allows(_ identity: String, _ operation: KMIP.Operation, objectGroups: [String]) -> Bool {
        grants.contains { grant in
            (grant.identity == identity || grant.identity == "*") && grant.operations.contains(operation)
                && objectGroups.contains(grant.objectGroup)
        }
    }

    // MARK: - The file

    private struct File: Codable {
        struct Grant: Codable {
            var identity: String
            var objectGroup: String
            var operations: [String]
        }
        var grants: [Grant]
    }

    /// Reads a policy file.
    ///
    /// - Throws: ``KMIPServerSetupError`` naming the file and, for a bad grant, its position and
    ///   what is wrong with it.
    public static func load(from path: String) throws -> KMIPAccessPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KMIPServerSetupError("cannot read the policy file \(path)")
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw KMIPServerSetupError("the policy file \(path) is not a JSON object with a \"grants\" array of {identity, objectGroup, operations}: \(error)")
        }
        var grants: [Grant] = []
        for (index, grant) in file.grants.enumerated() {
            guard !grant.identity.isEmpty, !grant.objectGroup.isEmpty else {
                throw KMIPServerSetupError("\(path): grant \(index + 1) needs a non-empty identity and objectGroup")
            }
            var operations: Set<KMIP.Operation> = []
            for name in grant.operations {
                guard let operation = KMIP.Operation(named: name) else {
                    throw KMIPServerSetupError("\(path): grant \(index + 1) names an unknown operation '\(name)' (use the specification's names, such as \"Get Attributes\")")
                }
                guard operation != .create, operation != .register, operation != .createKeyPair else {
                    throw KMIPServerSetupError("\(path): grant \(index + 1): \(name) makes new objects, which belong to their creator; it cannot be granted on a group")
                }
                operations.insert(operation)
            }
            grants.append(Grant(identity: grant.identity, objectGroup: grant.objectGroup, operations: operations))
        }
        return KMIPAccessPolicy(grants: grants)
    }

    /// The policy as a file's JSON.
    public func encoded() throws -> Data {
        let file = File(grants: grants.map { grant in
            File.Grant(identity: grant.identity, objectGroup: grant.objectGroup, operations: grant.operations.map(\.description).sorted())
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(file)
    }
}
