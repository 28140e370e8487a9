// swift-kmip: KMIPServer
//
// A durable store in one SQLite database (GRDB): write-ahead log, every change synced before the
// call returns, key material encrypted under a master key, destroyed material overwritten.

import Crypto
import Foundation
import GRDB
import KMIP

/// A store that keeps managed objects in a SQLite database file.
///
/// - Every ``insert(_:)`` and ``update(_:)`` is one transaction, synced to disk (WAL with
///   `synchronous = FULL`) before it returns: an acknowledged change survives a crash.
/// - An object's material (its key block, secret data, ...) is stored encrypted with AES-256-GCM
///   under the ``KMIPMasterKey``, bound to the object's identifier; attributes are stored in the
///   clear so that Locate can read them.
/// - When an object is destroyed its encrypted material is overwritten in the database
///   (`secure_delete`) and the write-ahead log is checkpointed and truncated, so no copy of it
///   stays in the data files (crypto-shredding).
public final class SQLiteObjectStore: KMIPObjectStore {
    private let database: DatabaseQueue
    private let masterKey: KMIPMasterKey
    /// The database file.
    public let path: String

    /// Opens (or creates) the database at `path`.
    ///
    /// - Throws: ``KMIPServerSetupError`` when the file cannot be opened, or when `masterKey` is
    ///   not the key the database was created with.
    public init(path: String, masterKey: KMIPMasterKey) throws {
        self.path = path
        self.masterKey = masterKey
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        do {
            // The database file is the owner's only; SQLite gives its -wal and -shm files the
            // same mode.
            if !FileManager.default.fileExists(atPath: path) { try PrivateFile.create(at: path, contents: []) }
            database = try DatabaseQueue(path: path, configuration: configuration)
            // GRDB sets `synchronous = NORMAL` with WAL, which may lose the last commits on a
            // power cut; FULL syncs the log at every commit.
            try database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            try Self.migrate(database)
            // A Destroy whose checkpoint did not run (a crash just after it) is shredded now.
            database.writeWithoutTransaction { db in _ = try? db.checkpoint(.truncate) }
        } catch let error as KMIPServerSetupError {
            throw error
        } catch {
            throw KMIPServerSetupError("cannot open the object database \(path): \(error)")
        }
        try checkMasterKey()
    }

    private static func migrate(_ database: DatabaseQueue) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE object (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    owner TEXT NOT NULL,
                    objectType INTEGER NOT NULL,
                    attributes BLOB NOT NULL,
                    material BLOB,
                    seal BLOB NOT NULL
                );
                CREATE TABLE setting (name TEXT PRIMARY KEY, value BLOB NOT NULL);
                """)
        }
        // The Locate index: a row per (object, kind, value) for the attributes Locate filters on
        // most (Object Type, Name, Object Group, State, Cryptographic Algorithm and Length),
        // filled from the objects already there.
        migrator.registerMigration("v2-locate-index") { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS locate_key (
                    id TEXT NOT NULL REFERENCES object(id) ON DELETE CASCADE,
                    kind INTEGER NOT NULL,
                    value TEXT NOT NULL
                );
                CREATE INDEX IF NOT EXISTS locate_key_lookup ON locate_key (kind, value);
                CREATE INDEX IF NOT EXISTS locate_key_object ON locate_key (id);
                DELETE FROM locate_key;
                """)
            for row in try Row.fetchAll(db, sql: "SELECT id, attributes FROM object") {
                let id: String = row["id"]
                let blob: Data = row["attributes"]
                guard let attributes = try? blob.withUnsafeBytes({ try StoredAttributes.attributes(TTLVDecoder().decode($0)) }) else { continue }
                try LocateIndex.insert(id: id, attributes: attributes, db)
            }
        }
        try migrator.migrate(database)
    }

    /// The database holds a value sealed under the master key it was made with; a different key
    /// cannot open it.
    private func checkMasterKey() throws {
        let check = "swift-kmip master key check"
        try database.write { db in
            if let sealed = try Data.fetchOne(db, sql: "SELECT value FROM setting WHERE name = 'masterKeyCheck'") {
                guard (try? masterKey.open(Array(sealed), context: check)) == Array(check.utf8) else {
                    throw KMIPServerSetupError("the master key does not open the object database \(path) (it was made with another key)")
                }
            } else {
                let sealed = try masterKey.seal(Array(check.utf8), context: check)
                try db.execute(sql: "INSERT INTO setting (name, value) VALUES ('masterKeyCheck', ?)", arguments: [Data(sealed)])
            }
        }
    }

    /// The value of an integer pragma of the open connection (for tests: `synchronous` is 2, FULL).
    package func pragma(_ name: String) async throws -> Int? {
        guard name.allSatisfy({ $0.isLetter || $0 == "_" }) else { return nil }
        return try await database.read { try Int.fetchOne($0, sql: "PRAGMA \(name)") }
    }

    public func makeIdentifier() async throws -> String {
        UUID().uuidString.lowercased()
    }

    public func insert(_ object: StoredObject) async throws {
        let row = try encode(object)
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO object (id, owner, objectType, attributes, material, seal) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [row.id, row.owner, row.objectType, row.attributes, row.material, row.seal])
            try LocateIndex.insert(id: object.id, attributes: object.attributes, db)
        }
    }

    public func update(_ object: StoredObject) async throws {
        let row = try encode(object)
        let shredded = try await database.write { db -> Bool in
            let hadMaterial = try Bool.fetchOne(db, sql: "SELECT material IS NOT NULL FROM object WHERE id = ?", arguments: [row.id])
            guard let hadMaterial else {
                throw KMIPServerSetupError("object \(row.id) is not in the store")
            }
            try db.execute(
                sql: "UPDATE object SET owner = ?, objectType = ?, attributes = ?, material = ?, seal = ? WHERE id = ?",
                arguments: [row.owner, row.objectType, row.attributes, row.material, row.seal, row.id])
            try db.execute(sql: "DELETE FROM locate_key WHERE id = ?", arguments: [row.id])
            try LocateIndex.insert(id: object.id, attributes: object.attributes, db)
            return hadMaterial && row.material == nil
        }
        if shredded {
            // Write the overwritten page back into the database file and empty the log, so that
            // the old material is in neither. The Destroy itself is committed: a checkpoint that
            // cannot run now (a reader in another process) runs at the next Destroy or start.
            try? await database.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
            }
        }
    }

    public func remove(_ id: String) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM locate_key WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM object WHERE id = ?", arguments: [id])
        }
        try? await database.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }

    public func object(_ id: String) async throws -> StoredObject? {
        let row = try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT id, owner, objectType, attributes, material, seal FROM object WHERE id = ?", arguments: [id])
                .map(EncodedRow.init)
        }
        return try row.map(decode)
    }

    public func objects() async throws -> [StoredObject] {
        let rows = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, owner, objectType, attributes, material, seal FROM object ORDER BY sequence")
                .map(EncodedRow.init)
        }
        return try rows.map(decode)
    }

    public func objectsWithoutMaterial() async throws -> [StoredObject] {
        let rows = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, owner, objectType, attributes, NULL AS material, seal FROM object ORDER BY sequence")
                .map(EncodedRow.init)
        }
        return try rows.map(decode)
    }

    /// Through the Locate index when the filter names an indexed attribute, else every object.
    public func locateCandidates(_ filter: Attributes) async throws -> [StoredObject] {
        let keys = LocateIndex.keys(of: filter, filter: true)
        guard !keys.isEmpty else { return try await objectsWithoutMaterial() }
        let condition = keys.map { _ in "id IN (SELECT id FROM locate_key WHERE kind = ? AND value = ?)" }.joined(separator: " AND ")
        var arguments: [DatabaseValue] = []
        for key in keys {
            arguments.append(key.kind.databaseValue)
            arguments.append(key.value.databaseValue)
        }
        let rows = try await database.read { [arguments] db in
            try Row.fetchAll(
                db, sql: "SELECT id, owner, objectType, attributes, NULL AS material, seal FROM object WHERE \(condition) ORDER BY sequence",
                arguments: StatementArguments(arguments)
            ).map(EncodedRow.init)
        }
        return try rows.map(decode)
    }

    // MARK: - Rows

    private struct EncodedRow: Sendable {
        var id: String
        var owner: String
        var objectType: Int64
        var attributes: Data
        var material: Data?
        /// An HMAC over the identifier, owner, object type and attributes, keyed from the master
        /// key: who may reach an object cannot be changed in the database without it.
        var seal: Data

        init(id: String, owner: String, objectType: Int64, attributes: Data, material: Data?, seal: Data) {
            self.id = id
            self.owner = owner
            self.objectType = objectType
            self.attributes = attributes
            self.material = material
            self.seal = seal
        }

        init(_ row: Row) {
            self.init(
                id: row["id"], owner: row["owner"], objectType: row["objectType"], attributes: row["attributes"], material: row["material"],
                seal: row["seal"])
        }

        /// What the seal and the material's encryption bind: the identifier, owner and type.
        var binding: String { Self.binding(id: id, owner: owner, objectType: objectType) }

        static func binding(id: String, owner: String, objectType: Int64) -> String { "\(id)\u{0}\(owner)\u{0}\(objectType)" }
    }

    /// Material is kept as the TTLV of the object in KMIP 2.1 (1.4 for the objects 2.x removed),
    /// prefixed by that version, sealed under the master key.
    private func encode(_ object: StoredObject) throws -> EncodedRow {
        var material: Data?
        if let managed = object.object {
            var item: KMIPItem
            var version = KMIPVersion.v2_1
            do {
                item = try managed.kmipItem(tag: managed.tag, context: KMIPEncodingContext(version: version))
            } catch {
                version = .v1_4
                item = try managed.kmipItem(tag: managed.tag, context: KMIPEncodingContext(version: version))
            }
            let plaintext = [UInt8(version.major), UInt8(version.minor)] + (try TTLVEncoder().encode(item))
            let binding = EncodedRow.binding(id: object.id, owner: object.owner, objectType: Int64(object.objectType.rawValue))
            material = Data(try masterKey.seal(plaintext, context: binding))
        }
        var row = EncodedRow(
            id: object.id, owner: object.owner, objectType: Int64(object.objectType.rawValue),
            attributes: Data(try TTLVEncoder().encode(StoredAttributes.item(object.attributes))), material: material, seal: Data())
        row.seal = Data(masterKey.authenticate(Array(row.binding.utf8) + [0] + Array(row.attributes)))
        return row
    }

    private func decode(_ row: EncodedRow) throws -> StoredObject {
        let id = row.id
        do {
            guard masterKey.isAuthentic(Array(row.seal), Array(row.binding.utf8) + [0] + Array(row.attributes)) else {
                throw KMIPServerSetupError("its owner, type or attributes were changed outside the server")
            }
            let attributes = try row.attributes.withUnsafeBytes { try StoredAttributes.attributes(TTLVDecoder().decode($0)) }
            var managed: ManagedObject?
            if let sealed = row.material {
                let plaintext = try masterKey.open(Array(sealed), context: row.binding)
                guard plaintext.count > 2 else { throw KMIPServerSetupError("material too short") }
                let version = KMIPVersion(Int32(plaintext[0]), Int32(plaintext[1]))
                let item = try plaintext.dropFirst(2).withUnsafeBytes { try TTLVDecoder().decode($0) }
                _ = version  // the decoder reads every version's form
                managed = try ManagedObject(kmipItem: item, context: .strict)
            }
            return StoredObject(
                id: id, owner: row.owner, objectType: ObjectType(rawValue: UInt32(truncatingIfNeeded: row.objectType)),
                object: managed, attributes: attributes)
        } catch {
            throw KMIPServerSetupError("object \(id) in \(path) cannot be read: \(error)")
        }
    }
}

/// The Locate index of the SQLite store: (object, kind, value) rows for the attributes Locate
/// filters on most. It only narrows the objects Locate reads; the engine checks the whole filter
/// on their sealed attributes, so a changed index row can hide an object but never reveal one.
enum LocateIndex {
    struct Key: Hashable {
        var kind: Int
        var value: String
    }

    /// The keys of `attributes`; of a Locate filter (`filter`), only those every match must have
    /// (a single-instance attribute given once; every Name and Object Group given).
    static func keys(of attributes: Attributes, filter: Bool = false) -> [Key] {
        var keys: [Key] = []
        func single(_ name: AttributeName, _ kind: Int, _ value: (KMIPItem.Value) -> String?) {
            let instances = attributes.all(name)
            guard !filter || instances.count == 1 else { return }
            for instance in instances { if let text = value(instance.value) { keys.append(Key(kind: kind, value: text)) } }
        }
        func enumeration(_ value: KMIPItem.Value) -> String? { if case .enumeration(let raw) = value { String(raw) } else { nil } }
        single(.objectType, 1, enumeration)
        single(.state, 4, enumeration)
        single(.cryptographicAlgorithm, 5, enumeration)
        single(.cryptographicLength, 6) { if case .integer(let bits) = $0 { String(bits) } else { nil } }
        for name in attributes.names { keys.append(Key(kind: 2, value: name.nameValue)) }
        for group in attributes.objectGroups { keys.append(Key(kind: 3, value: group)) }
        return Array(Set(keys)).sorted { ($0.kind, $0.value) < ($1.kind, $1.value) }
    }

    static func insert(id: String, attributes: Attributes, _ db: Database) throws {
        for key in keys(of: attributes) {
            try db.execute(sql: "INSERT INTO locate_key (id, kind, value) VALUES (?, ?, ?)", arguments: [id, key.kind, key.value])
        }
    }
}

/// The stored form of an attribute list: a structure of Attribute structures, each with its
/// Vendor Identification (vendor attributes only), Attribute Name, Attribute Index (when set) and
/// Attribute Value; the same in every protocol version.
enum StoredAttributes {
    static func item(_ attributes: Attributes) -> KMIPItem {
        KMIPItem(.attributes, structure: attributes.list.map { attribute in
            var children: [KMIPItem] = []
            if let vendor = attribute.name.vendorIdentification {
                children.append(KMIPItem(.vendorIdentification, .textString(vendor)))
            }
            children.append(KMIPItem(.attributeName, .textString(attribute.name.name)))
            if let index = attribute.index { children.append(KMIPItem(.attributeIndex, .integer(index))) }
            children.append(KMIPItem(.attributeValue, attribute.value))
            return KMIPItem(.attribute, structure: children)
        })
    }

    static func attributes(_ item: KMIPItem) throws -> Attributes {
        guard case .structure(let children) = item.value else {
            throw KMIPServerSetupError("stored attributes are not a structure")
        }
        return Attributes(try children.map { child in
            guard case .structure(let fields) = child.value else {
                throw KMIPServerSetupError("a stored attribute is not a structure")
            }
            var vendor: String?
            var name: String?
            var index: Int32?
            var value: KMIPItem.Value?
            for field in fields {
                switch (field.tag, field.value) {
                case (.vendorIdentification, .textString(let text)): vendor = text
                case (.attributeName, .textString(let text)): name = text
                case (.attributeIndex, .integer(let number)): index = number
                case (.attributeValue, let raw): value = raw
                default: throw KMIPServerSetupError("a stored attribute has an unexpected field \(field.tag)")
                }
            }
            guard let name, let value else { throw KMIPServerSetupError("a stored attribute lacks its name or value") }
            let attributeName = vendor.map { AttributeName(vendorIdentification: $0, name: name) } ?? AttributeName(name)
            return Attribute(name: attributeName, index: index, value: value)
        })
    }
}
