// swift-kmip: KMIPServer
//
// Username and password credentials (KMIP 1.x §2.1.2, 2.x §2.2 Credential, type Username and
// Password): a file of users with salted PBKDF2-HMAC-SHA256 password hashes, 0600.

import Crypto
import Foundation
import _CryptoExtras

/// The users of a server and their password hashes, in a JSON file only its owner may read
/// (`DIR/users.json`, made by `kmip-server add-user NAME`).
///
/// Passwords are never stored: each user has a random 16-byte salt and the PBKDF2-HMAC-SHA256
/// of the password with ``iterations`` rounds. A password verified once is remembered, for the
/// life of the process, as an HMAC under a key made at start, so that later requests cost one HMAC.
public final class KMIPUserFile: KMIPCredentialVerifier, @unchecked Sendable {
    struct Entry: Codable, Hashable {
        var algorithm: String
        var iterations: Int
        var salt: String
        var hash: String
    }

    struct Contents: Codable {
        var users: [String: Entry]
    }

    /// PBKDF2 rounds for new passwords.
    public static let iterations = 210_000
    static let algorithm = "PBKDF2-HMAC-SHA256"

    /// The file.
    public let path: String
    private let users: [String: Entry]
    // Guarded by `lock`.
    private let lock = NSLock()
    private var remembered: [String: HashedAuthenticationCode<SHA256>] = [:]
    private let rememberKey = SymmetricKey(size: .bits256)

    /// Reads the users file at `path`.
    ///
    /// - Throws: ``KMIPServerSetupError`` when it is missing, readable or writable by others than
    ///   its owner, or not a users file.
    public init(path: String) throws {
        self.path = path
        guard let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int else {
            throw KMIPServerSetupError("cannot read the users file \(path) (make it with kmip-server add-user NAME)")
        }
        guard mode & 0o077 == 0 else {
            throw KMIPServerSetupError("the users file \(path) must be readable by its owner only (chmod 600 \(path))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KMIPServerSetupError("cannot read the users file \(path)")
        }
        do {
            users = try JSONDecoder().decode(Contents.self, from: data).users
        } catch {
            throw KMIPServerSetupError("the users file \(path) is not valid: \(error)")
        }
        for (name, entry) in users {
            guard entry.algorithm == Self.algorithm, (1_000...10_000_000).contains(entry.iterations),
                Data(base64Encoded: entry.salt) != nil, Data(base64Encoded: entry.hash)?.count == 32
            else {
                throw KMIPServerSetupError("the users file \(path): the entry of \(name) is not a \(Self.algorithm) hash")
            }
        }
    }

    /// The users, sorted.
    public var usernames: [String] { users.keys.sorted() }

    /// Whether `password` is `username`'s password.
    public func verify(username: String, password: String) -> Bool {
        let code = HMAC<SHA256>.authenticationCode(for: Data(password.utf8), using: rememberKey)
        guard let entry = users[username], let salt = Data(base64Encoded: entry.salt), let hash = Data(base64Encoded: entry.hash) else {
            return false
        }
        if lock.withLock({ remembered[username] }) == code { return true }
        guard let derived = try? Self.derive(password, salt: salt, iterations: entry.iterations) else { return false }
        // Compared in constant time: an HMAC of each under a fresh key.
        let probe = SymmetricKey(size: .bits256)
        guard HMAC<SHA256>.authenticationCode(for: derived, using: probe) == HMAC<SHA256>.authenticationCode(for: hash, using: probe) else {
            return false
        }
        lock.withLock { remembered[username] = code }
        return true
    }

    static func derive(_ password: String, salt: Data, iterations: Int) throws -> Data {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Data(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: iterations)
        return key.withUnsafeBytes { Data($0) }
    }

    /// Adds `username` with `password` to the users file at `path` (made, 0600, when missing),
    /// replacing an earlier password of that user. The file is replaced atomically.
    ///
    /// - Throws: ``KMIPServerSetupError`` for an empty or over-long name or password, a name
    ///   with control characters, or a file that cannot be read or written.
    public static func addUser(_ username: String, password: String, path: String) throws {
        guard (1...128).contains(username.utf8.count), !username.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw KMIPServerSetupError("a username is 1 to 128 bytes without control characters")
        }
        guard (1...1024).contains(password.utf8.count) else {
            throw KMIPServerSetupError("a password is 1 to 1024 bytes")
        }
        var users: [String: Entry] = [:]
        if FileManager.default.fileExists(atPath: path) {
            users = try KMIPUserFile(path: path).users
        }
        var generator = SystemRandomNumberGenerator()
        let salt = Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let hash = try derive(password, salt: salt, iterations: iterations)
        users[username] = Entry(algorithm: algorithm, iterations: iterations, salt: salt.base64EncodedString(), hash: hash.base64EncodedString())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let contents = Array(try encoder.encode(Contents(users: users)))
        let temporary = path + ".new"
        unlink(temporary)
        try PrivateFile.create(at: temporary, contents: contents)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw KMIPServerSetupError("cannot replace the users file \(path): \(reason)")
        }
    }
}
