// swift-kmip: ClipSupport
//
// Where sealed clips are uploaded to and fetched from.

import Foundation

/// A sealed clip on a store.
public struct StoredClip: Hashable, Sendable {
    /// The clip's name on the store.
    public var name: String
    /// Its size in bytes.
    public var size: Int

    /// A clip `name` of `size` bytes.
    public init(name: String, size: Int) {
        self.name = name
        self.size = size
    }
}

/// Why a store operation failed.
public struct ClipStoreError: Error, CustomStringConvertible, Sendable {
    /// What failed, naming the clip and the store.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A place sealed clips go to: an FTP or SFTP server, or a directory.
///
/// Uploads are atomic: a clip is written under a temporary name and renamed when it is complete,
/// so a reader never sees a half-uploaded clip under its final name, and ``upload(_:as:)``
/// returns only when the store holds the whole clip.
public protocol ClipStore: Sendable {
    /// Where the store is, for messages (`file:///srv/clips`).
    var location: String { get }
    /// The sealed clips on the store, by name.
    func list() async throws -> [StoredClip]
    /// Uploads the local file `path` as `name`; returns once the store confirms its full size.
    func upload(_ path: String, as name: String) async throws
    /// Downloads `name` into the local file `path`.
    func download(_ name: String, to path: String) async throws
    /// The first `count` bytes of `name` (all of it when it is shorter), without downloading the
    /// rest: enough to read a sealed clip's header.
    func prefix(of name: String, count: Int) async throws -> [UInt8]
    /// Deletes `name`.
    func delete(_ name: String) async throws
}

/// A store in a local directory (`file://` URLs).
public struct DirectoryClipStore: ClipStore {
    /// The directory.
    public let directory: String

    /// A store in `directory`, made now when missing (`create`), else at the first upload.
    public init(directory: String, create: Bool = true) throws {
        self.directory = (directory as NSString).standardizingPath
        guard create else { return }
        do {
            try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        } catch {
            throw ClipStoreError("cannot create the clip directory \(self.directory): \(error.localizedDescription)")
        }
    }

    public var location: String { "file://\(directory)" }

    public func list() async throws -> [StoredClip] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw ClipStoreError("cannot list \(location): \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".sealed") && !$0.hasPrefix(".") }.sorted().map { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            return StoredClip(name: name, size: attributes?[.size] as? Int ?? 0)
        }
    }

    public func upload(_ path: String, as name: String) async throws {
        try Self.checkName(name)
        let temporary = directory + "/.\(name).uploading"
        let final = directory + "/" + name
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: path, toPath: temporary)
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            let expected = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
            let stored = try FileManager.default.attributesOfItem(atPath: temporary)[.size] as? Int
            guard expected == stored else { throw ClipStoreError("\(name): stored \(stored ?? 0) of \(expected ?? 0) bytes") }
            guard rename(temporary, final) == 0 else { throw ClipStoreError("cannot rename \(temporary): \(String(cString: strerror(errno)))") }
        } catch let error as ClipStoreError {
            throw error
        } catch {
            throw ClipStoreError("cannot upload \(name) to \(location): \(error.localizedDescription)")
        }
    }

    public func download(_ name: String, to path: String) async throws {
        try Self.checkName(name)
        do {
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: directory + "/" + name, toPath: path)
        } catch {
            throw ClipStoreError("cannot download \(name) from \(location): \(error.localizedDescription)")
        }
    }

    public func prefix(of name: String, count: Int) async throws -> [UInt8] {
        try Self.checkName(name)
        guard let handle = FileHandle(forReadingAtPath: directory + "/" + name) else {
            throw ClipStoreError("cannot read \(name) on \(location): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        do { return Array(try handle.read(upToCount: max(count, 0)) ?? Data()) } catch {
            throw ClipStoreError("cannot read \(name) on \(location): \(error.localizedDescription)")
        }
    }

    public func delete(_ name: String) async throws {
        try Self.checkName(name)
        do { try FileManager.default.removeItem(atPath: directory + "/" + name) } catch {
            throw ClipStoreError("cannot delete \(name) from \(location): \(error.localizedDescription)")
        }
    }

    /// Clip names are plain file names: no directories, no hidden files.
    static func checkName(_ name: String) throws {
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/"), !name.contains("\0") else {
            throw ClipStoreError("'\(name)' is not a clip name")
        }
    }
}
