// swift-kmip: ClipViewer
//
// The viewer's users: a JSON file of bcrypt hashes, readable by its owner only.

import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HummingbirdBcrypt

/// Why a users-file operation failed.
public enum ViewerUsersError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The user name is not acceptable.
    case invalidName(String)
    /// The password is not acceptable (the reason says why).
    case unacceptablePassword(String)
    /// A user of that name exists already.
    case userExists(String)
    /// No user of that name.
    case noSuchUser(String)
    /// The users file may be read or written by others than its owner.
    case insecurePermissions(path: String, mode: Int)
    /// The users file cannot be read or written (the reason says why).
    case io(path: String, reason: String)
    /// The users file is not a users file.
    case damaged(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            "'\(name)' is not a user name: use 1 to 64 letters, digits, '.', '_', '-' or '@'"
        case .unacceptablePassword(let reason): "unacceptable password: \(reason)"
        case .userExists(let name): "the user '\(name)' exists already"
        case .noSuchUser(let name): "there is no user '\(name)'"
        case .insecurePermissions(let path, let mode):
            "the users file \(path) has mode \(String(mode, radix: 8)): it must be readable by its owner only (chmod 600 \(path))"
        case .io(let path, let reason): "users file \(path): \(reason)"
        case .damaged(let path, let reason): "the users file \(path) is damaged: \(reason)"
        }
    }
}

/// The viewer's users, kept in a JSON file of bcrypt hashes (mode 0600, written atomically).
///
/// ```swift
/// let users = ViewerUsers(path: "/var/lib/viewer/users.json")
/// try users.add("alice", password: "correct horse battery")
/// try users.verify("alice", password: "correct horse battery")  // true
/// ```
public struct ViewerUsers: Sendable {
    /// The users file.
    public let path: String
    /// The bcrypt cost of new hashes.
    public let cost: UInt8

    /// The users of the file at `path` (which need not exist yet); new passwords are hashed with
    /// bcrypt at `cost` (default 12; from 4 to 31).
    public init(path: String, cost: UInt8 = 12) {
        self.path = path
        self.cost = min(31, max(4, cost))
    }

    /// The user names, sorted.
    public func names() throws -> [String] {
        try load().users.map(\.name).sorted()
    }

    /// Adds the user `name` with `password` (at least 8 characters, at most 72 bytes: bcrypt
    /// ignores anything longer). With `replacing`, an existing user's password is changed;
    /// without, an existing user is an error.
    public func add(_ name: String, password: String, replacing: Bool = false) throws {
        guard Self.isValidName(name) else { throw ViewerUsersError.invalidName(name) }
        guard password.count >= 8 else { throw ViewerUsersError.unacceptablePassword("it must have at least 8 characters") }
        guard password.utf8.count <= 72 else { throw ViewerUsersError.unacceptablePassword("it must be at most 72 bytes long (bcrypt ignores the rest)") }
        var file = try load()
        if let index = file.users.firstIndex(where: { $0.name == name }) {
            guard replacing else { throw ViewerUsersError.userExists(name) }
            file.users.remove(at: index)
        }
        file.users.append(UsersFile.User(name: name, passwordHash: Bcrypt.hash(password, cost: cost)))
        file.users.sort { $0.name < $1.name }
        try save(file)
    }

    /// Removes the user `name`.
    public func remove(_ name: String) throws {
        var file = try load()
        guard let index = file.users.firstIndex(where: { $0.name == name }) else { throw ViewerUsersError.noSuchUser(name) }
        file.users.remove(at: index)
        try save(file)
    }

    /// Whether `password` is `name`'s password. An unknown user costs the same time as a wrong
    /// password, so the answer does not tell which names exist.
    public func verify(_ name: String, password: String) throws -> Bool {
        let file = try load()
        guard let user = file.users.first(where: { $0.name == name }) else {
            // Spend the time of a real verification (another user's hash has the same cost).
            if let decoy = file.users.first { _ = Bcrypt.verify(password, hash: decoy.passwordHash) }
            return false
        }
        return Bcrypt.verify(password, hash: user.passwordHash)
    }

    /// Whether `name` is an acceptable user name.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count) else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
        }
    }

    // MARK: - The file

    struct UsersFile: Codable {
        struct User: Codable {
            var name: String
            var passwordHash: String
        }
        var version = 1
        var users: [User] = []
    }

    /// Reads the file; a missing file has no users.
    func load() throws -> UsersFile {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { return UsersFile() }
            throw ViewerUsersError.io(path: path, reason: String(cString: strerror(errno)))
        }
        let mode = Int(status.st_mode & 0o777)
        guard mode & 0o077 == 0 else { throw ViewerUsersError.insecurePermissions(path: path, mode: mode) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ViewerUsersError.io(path: path, reason: "cannot be read")
        }
        let file: UsersFile
        do { file = try JSONDecoder().decode(UsersFile.self, from: data) } catch {
            throw ViewerUsersError.damaged(path: path, reason: "not a JSON users file (\(error.localizedDescription))")
        }
        guard file.version == 1 else { throw ViewerUsersError.damaged(path: path, reason: "version \(file.version) is not known") }
        return file
    }

    /// Writes the file to a temporary name with mode 0600, syncs it and renames it over the old one.
    func save(_ file: UsersFile) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(file) } catch { throw ViewerUsersError.io(path: path, reason: "cannot encode: \(error)") }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ViewerUsersError.io(path: path, reason: "cannot create its directory: \(error.localizedDescription)")
            }
        }
        let temporary = path + ".\(UUID().uuidString).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ViewerUsersError.io(path: path, reason: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress, buffer.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == data.count, synced == 0, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ViewerUsersError.io(path: path, reason: "cannot write: \(reason)")
        }
    }
}
