// swift-kmip: KMIPServer
//
// Where the server keeps managed objects.

import KMIP

/// A managed object with its attributes and owner, as the server keeps it.
public struct StoredObject: Hashable, Sendable {
    /// The Unique Identifier.
    public var id: String
    /// The identity that created or registered it (the client certificate's subject common name).
    public var owner: String
    /// The Object Type.
    public var objectType: ObjectType
    /// The object; `nil` once destroyed (its metadata stays, as the specification says).
    public var object: ManagedObject?
    /// Every attribute, the server-managed ones included (State, dates, Unique Identifier, ...).
    public var attributes: Attributes

    /// Creates a stored object.
    public init(id: String, owner: String, objectType: ObjectType, object: ManagedObject?, attributes: Attributes) {
        self.id = id
        self.owner = owner
        self.objectType = objectType
        self.object = object
        self.attributes = attributes
    }
}

/// Storage for managed objects. Every call that returns has made its change durable (for stores
/// that persist).
public protocol KMIPObjectStore: Sendable {
    /// A new, never used Unique Identifier.
    func makeIdentifier() async throws -> String
    /// Stores a new object.
    func insert(_ object: StoredObject) async throws
    /// Replaces a stored object (same identifier).
    func update(_ object: StoredObject) async throws
    /// Removes an object entirely (to undo its creation in a batch; Destroy keeps objects).
    func remove(_ id: String) async throws
    /// The object with `id`, or `nil`.
    func object(_ id: String) async throws -> StoredObject?
    /// Every object, oldest first.
    func objects() async throws -> [StoredObject]
    /// Every object, oldest first, without its material (``StoredObject/object`` is `nil`):
    /// what Locate reads, cheaper for stores that keep material encrypted.
    func objectsWithoutMaterial() async throws -> [StoredObject]
    /// The objects a Locate with `filter` may find, oldest first, without their material: every
    /// object, or fewer from a store with an index (it may leave out only objects that cannot
    /// match; the engine checks the whole filter on what it gets).
    func locateCandidates(_ filter: Attributes) async throws -> [StoredObject]
}

extension KMIPObjectStore {
    public func locateCandidates(_ filter: Attributes) async throws -> [StoredObject] {
        try await objectsWithoutMaterial()
    }

    public func objectsWithoutMaterial() async throws -> [StoredObject] {
        try await objects().map { stored in
            var stored = stored
            stored.object = nil
            return stored
        }
    }
}

/// An in-memory store, for tests and for servers that keep nothing across restarts.
public actor InMemoryObjectStore: KMIPObjectStore {
    private var byID: [String: StoredObject] = [:]
    private var order: [String] = []
    private var next = 1

    /// Creates an empty store.
    public init() {}

    public func makeIdentifier() -> String {
        defer { next += 1 }
        return String(next)
    }

    public func insert(_ object: StoredObject) {
        byID[object.id] = object
        order.append(object.id)
    }

    public func update(_ object: StoredObject) {
        byID[object.id] = object
    }

    public func remove(_ id: String) {
        byID[id] = nil
        order.removeAll { $0 == id }
    }

    public func object(_ id: String) -> StoredObject? { byID[id] }

    public func objects() -> [StoredObject] { order.compactMap { byID[$0] } }
}
