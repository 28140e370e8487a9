// swift-kmip: ClipSupport
//
// What the camera remembers across restarts: which KMIP key it seals with, since when, and how
// many clips it sealed. Never key material: the key is fetched again over KMIP after a restart.

import Foundation

/// When the camera replaces its key.
public struct KeyRotationPolicy: Sendable, Equatable {
    /// Rotate after this many clips (nil: never by count).
    public var everyClips: Int?
    /// Rotate once the key is this old (nil: never by age).
    public var everyMinutes: Double?

    /// A policy; nil for both means one key for ever (not recommended).
    public init(everyClips: Int? = nil, everyMinutes: Double? = nil) {
        self.everyClips = everyClips
        self.everyMinutes = everyMinutes
    }

    /// Whether `state`'s key must be replaced before sealing another clip at `now`.
    public func isDue(_ state: CameraState, now: Date = Date()) -> Bool {
        guard let key = state.key else { return true }
        if let everyClips, key.clipsSealed >= everyClips { return true }
        if let everyMinutes, now.timeIntervalSince(key.createdAt) >= everyMinutes * 60 { return true }
        return false
    }
}

/// The camera's persistent state, a small JSON file in the spool (mode 0600, replaced atomically).
public struct CameraState: Codable, Sendable, Equatable {
    /// The key in use.
    public struct Key: Codable, Sendable, Equatable {
        /// Its KMIP Unique Identifier.
        public var identifier: String
        /// When the camera created it.
        public var createdAt: Date
        /// Clips sealed with it.
        public var clipsSealed: Int

        public init(identifier: String, createdAt: Date, clipsSealed: Int = 0) {
            self.identifier = identifier
            self.createdAt = createdAt
            self.clipsSealed = clipsSealed
        }
    }

    /// The key in use, if any.
    public var key: Key?
    /// The number of the next clip (clip names carry it, so names never repeat).
    public var nextClipNumber: Int
    /// Keys the camera replaced but could not yet revoke (the server was unreachable); revoked
    /// on the next start.
    public var toRevoke: [String]

    public init(key: Key? = nil, nextClipNumber: Int = 1, toRevoke: [String] = []) {
        self.key = key
        self.nextClipNumber = nextClipNumber
        self.toRevoke = toRevoke
    }

    /// The state file's name in the spool.
    public static let fileName = "camera-state.json"

    /// Reads the state from `spool` (a new state when there is none).
    public static func load(from spool: ClipSpool) throws -> CameraState {
        let path = spool.directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return CameraState() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do { return try decoder.decode(CameraState.self, from: data) } catch {
            throw ClipStoreError("\(path) is damaged (\(error)); move it away to start with a new key")
        }
    }

    /// Writes the state to `spool`: a temporary file, synced, renamed over the old one.
    public func save(to spool: ClipSpool) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = spool.directory + "/" + Self.fileName
        let temporary = path + ".new"
        do {
            let data = try encoder.encode(self)
            guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw ClipStoreError("cannot write \(temporary)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else { throw ClipStoreError("cannot rename \(temporary): \(String(cString: strerror(errno)))") }
            ClipSpool.syncDirectory(spool.directory)
        } catch let error as ClipStoreError {
            throw error
        } catch {
            throw ClipStoreError("cannot save the camera state to \(path): \(error.localizedDescription)")
        }
    }
}
