// swift-kmip: ClipSupport
//
// The viewer's local copies of sealed clips. They are ciphertext, so keeping them is safe; the
// plaintext exists only in memory while a clip is opened.

import Foundation
import SealedFile

/// A directory of sealed clips downloaded from a store, with their headers.
public struct SealedClipCache: Sendable {
    /// A clip on the store with what its header says.
    public struct Entry: Sendable {
        /// The clip on the store.
        public var clip: StoredClip
        /// Its header.
        public var header: SealedFileHeader

        /// When it was captured (the header's `captured` metadata), if it says.
        public var captured: Date? {
            header.metadata["captured"].flatMap { try? Date($0, strategy: .iso8601) }
        }
    }

    /// The directory (mode 0700).
    public let directory: String
    /// The store the clips come from.
    public let store: any ClipStore

    /// A cache in `directory` (made when missing) of clips from `store`.
    public init(directory: String, store: any ClipStore) throws {
        self.directory = (directory as NSString).standardizingPath
        self.store = store
        do {
            try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ClipStoreError("cannot create the cache \(self.directory): \(error.localizedDescription)")
        }
    }

    /// The local copy of `clip`, downloaded when missing or of another size.
    public func fetch(_ clip: StoredClip) async throws -> String {
        try DirectoryClipStore.checkName(clip.name)
        let path = directory + "/" + clip.name
        if ClipSpool.size(of: path) == clip.size { return path }
        let temporary = directory + "/.\(clip.name).downloading"
        try await store.download(clip.name, to: temporary)
        guard ClipSpool.size(of: temporary) == clip.size else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ClipStoreError("\(clip.name): downloaded \(ClipSpool.size(of: temporary) ?? 0) bytes, the store lists \(clip.size)")
        }
        guard rename(temporary, path) == 0 else { throw ClipStoreError("cannot rename \(temporary): \(String(cString: strerror(errno)))") }
        return path
    }

    /// The local copy of the clip named `name` on the store.
    public func fetch(named name: String) async throws -> String {
        guard let clip = try await store.list().first(where: { $0.name == name }) else {
            throw ClipStoreError("there is no clip \(name) on \(store.location)")
        }
        return try await fetch(clip)
    }

    /// Every clip on the store with its header, oldest first (clips whose header cannot be read
    /// are returned in `unreadable` with the reason). Only the headers are read: from the local
    /// copy when there is one, else the first bytes of the clip on the store.
    public func entries() async throws -> (entries: [Entry], unreadable: [(name: String, reason: String)]) {
        var entries: [Entry] = []
        var unreadable: [(String, String)] = []
        for clip in try await store.list() {
            do {
                entries.append(Entry(clip: clip, header: try await header(of: clip)))
            } catch {
                unreadable.append((clip.name, "\(error)"))
            }
        }
        return (entries, unreadable)
    }

    /// The header of `clip`, from the local copy when there is one of the right size, else from
    /// the first bytes of the clip on the store (the clip itself is not downloaded).
    public func header(of clip: StoredClip) async throws -> SealedFileHeader {
        try DirectoryClipStore.checkName(clip.name)
        let path = directory + "/" + clip.name
        if ClipSpool.size(of: path) == clip.size { return try Self.header(of: path) }
        var source = BytesSource(try await store.prefix(of: clip.name, count: min(clip.size, SealedFileHeader.maximumLength)))
        return try SealedFileReader.readHeader(from: &source).header
    }

    /// Removes the local copy of `name`.
    public func evict(_ name: String) {
        try? FileManager.default.removeItem(atPath: directory + "/" + name)
    }

    /// The header of the sealed file at `path`.
    public static func header(of path: String) throws -> SealedFileHeader {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ClipStoreError("cannot read \(path)") }
        defer { try? handle.close() }
        var source = FileHandleSource(handle)
        return try SealedFileReader.readHeader(from: &source).header
    }
}
