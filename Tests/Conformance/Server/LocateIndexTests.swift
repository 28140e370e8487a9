// The SQLite store's Locate index: Locate reads only the objects an indexed filter can match,
// finds what a full scan finds, follows attribute changes, and is rebuilt for an older database.

import Foundation
import GRDB
import KMIP
import KMIPServer
import Testing

@Suite("SQLite store: the Locate index", .serialized)
struct LocateIndexTests {
    static func name(_ text: String) -> Name { Name(nameValue: text, nameType: .uninterpretedTextString) }

    @Test("Locate by Name, Object Group, Object Type, State, algorithm and length reads only the candidates, and answers as a full scan does")
    func narrows() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteObjectStore(path: directory + "/objects.sqlite", masterKey: KMIPMasterKey.random())
        let server = try await RunningServer.start(store: store)
        let client = try server.client(version: .v2_1)
        var ids: [UniqueIdentifier] = []
        for index in 0..<60 {
            ids.append(try await client.createSymmetricKey(
                algorithm: .aes, length: index % 2 == 0 ? 128 : 256, name: "key-\(index)", objectGroup: "group-\(index % 3)"))
        }
        let pair = try await client.createKeyPair(algorithm: .ecdsa, length: 256)

        var byName = Attributes()
        byName.names = [Self.name("key-7")]
        #expect(try await store.locateCandidates(byName).map { UniqueIdentifier.text($0.id) } == [ids[7]])
        #expect(try await client.locate(byName) == [ids[7]])

        var groupAndLength = Attributes()
        groupAndLength.objectGroups = ["group-1"]
        groupAndLength.cryptographicLength = 128
        let indices: [Int] = Array(0..<60).filter { (index: Int) -> Bool in index % 3 == 1 && index % 2 == 0 }
        let expected: [UniqueIdentifier] = indices.map { ids[$0] }
        #expect(try await store.locateCandidates(groupAndLength).count == expected.count)
        #expect(try await client.locate(groupAndLength) == expected)

        var privateKeys = Attributes()
        privateKeys.objectType = .privateKey
        #expect(try await client.locate(privateKeys) == [pair.privateKey])
        #expect(try await store.locateCandidates(privateKeys).count == 1)

        // The index follows changes: a new name, a new state.
        _ = try await client.perform(SetAttributeRequest(uniqueIdentifier: ids[7], attribute: try Attribute(name: .name, Self.name("renamed"))))
        #expect(try await client.locate(byName).isEmpty)
        var renamed = Attributes()
        renamed.names = [Self.name("renamed")]
        #expect(try await client.locate(renamed) == [ids[7]])
        try await client.activate(ids[8])
        var active = Attributes()
        active.state = .active
        #expect(try await client.locate(active) == [ids[8]])
        #expect(try await store.locateCandidates(active).map { UniqueIdentifier.text($0.id) } == [ids[8]])

        // A filter on nothing indexed reads everything.
        var custom = Attributes()
        custom.append(try Attribute(name: "x-none", "none"))
        #expect(try await store.locateCandidates(custom).count == 62)
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("a database without the index (made before it) gets it filled on opening")
    func rebuilt() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/objects.sqlite"
        let key = KMIPMasterKey.random()
        do {
            let store = try SQLiteObjectStore(path: path, masterKey: key)
            let server = try await RunningServer.start(store: store)
            let client = try server.client()
            _ = try await client.createSymmetricKey(algorithm: .aes, length: 256, name: "before")
            _ = try await client.createSymmetricKey(algorithm: .aes, length: 256, name: "other")
            await client.shutdown()
            await server.listener.shutdown()
        }
        // Back to the schema before the index.
        let queue = try openDatabase(path)
        try await queue.write { db in
            try db.execute(sql: "DROP TABLE locate_key; DELETE FROM grdb_migrations WHERE identifier = 'v2-locate-index'")
        }
        try queue.close()

        let store = try SQLiteObjectStore(path: path, masterKey: key)
        var filter = Attributes()
        filter.names = [Self.name("before")]
        let found = try await store.locateCandidates(filter)
        #expect(found.count == 1 && found.first?.attributes.names == [Self.name("before")])
    }
}
