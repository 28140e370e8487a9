// swift-kmip: KMIP
//
// Credential (1.x §2.1.2; 2.x §5.x): a Credential Type and a Credential Value whose structure the
// type picks, so it is decoded here by hand. The credential structures themselves are generated.

/// A credential in a request's Authentication: username and password, device, attestation,
/// one-time password, hashed password or ticket.
///
/// Its description never shows passwords.
public enum Credential: Hashable, Sendable {
    /// Username and Password (1.0+).
    case usernameAndPassword(UsernameAndPasswordCredential)
    /// Device (1.1+).
    case device(DeviceCredential)
    /// Attestation (1.2+).
    case attestation(AttestationCredential)
    /// One Time Password (2.0+).
    case oneTimePassword(OneTimePasswordCredential)
    /// Hashed Password (2.0+).
    case hashedPassword(HashedPasswordCredential)
    /// Ticket (2.0+).
    case ticket(TicketCredential)
    /// A credential of another (vendor) type, its value kept as a tree.
    case other(CredentialType, KMIPItem.Value)

    /// A username and password credential.
    public static func username(_ username: String, password: String?) -> Credential {
        .usernameAndPassword(UsernameAndPasswordCredential(username: username, password: password))
    }

    /// The Credential Type.
    public var credentialType: CredentialType {
        switch self {
        case .usernameAndPassword: .usernameAndPassword
        case .device: .device
        case .attestation: .attestation
        case .oneTimePassword: .oneTimePassword
        case .hashedPassword: .hashedPassword
        case .ticket: .ticket
        case .other(let type, _): type
        }
    }

    var versions: KMIPVersionSet {
        switch self {
        case .usernameAndPassword, .other: .all
        case .device: KMIPVersionSet(rawValue: 0x7E)
        case .attestation: KMIPVersionSet(rawValue: 0x7C)
        case .oneTimePassword, .hashedPassword, .ticket: KMIPVersionSet(rawValue: 0x60)
        }
    }
}

extension Credential: KMIPCodable, KMIPSensitive {
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        let type: CredentialType = try reader.decode(.credentialType)
        guard let value = reader.nextItem(.credentialValue) else { throw reader.missing(.credentialValue) }
        try reader.finish()
        do {
            switch type {
            case .usernameAndPassword: self = .usernameAndPassword(try .init(kmipItem: value, context: context))
            case .device: self = .device(try .init(kmipItem: value, context: context))
            case .attestation: self = .attestation(try .init(kmipItem: value, context: context))
            case .oneTimePassword: self = .oneTimePassword(try .init(kmipItem: value, context: context))
            case .hashedPassword: self = .hashedPassword(try .init(kmipItem: value, context: context))
            case .ticket: self = .ticket(try .init(kmipItem: value, context: context))
            default: self = .other(type, value.value)
            }
        } catch let error as KMIPError {
            throw error.prefixed(by: .credentialValue)
        }
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        guard versions.contains(context.version) else {
            throw KMIPError(
                .unsupportedInVersion, "\(credentialType) credentials do not exist in KMIP \(context.version) (defined in \(versions))")
        }
        let value: KMIPItem
        switch self {
        case .usernameAndPassword(let credential): value = try credential.kmipItem(tag: .credentialValue, context: context)
        case .device(let credential): value = try credential.kmipItem(tag: .credentialValue, context: context)
        case .attestation(let credential): value = try credential.kmipItem(tag: .credentialValue, context: context)
        case .oneTimePassword(let credential): value = try credential.kmipItem(tag: .credentialValue, context: context)
        case .hashedPassword(let credential): value = try credential.kmipItem(tag: .credentialValue, context: context)
        case .ticket(let credential): value = try credential.kmipItem(tag: .credentialValue, context: context)
        case .other(_, let raw): value = KMIPItem(.credentialValue, raw)
        }
        return KMIPItem(tag, structure: [KMIPItem(.credentialType, .enumeration(credentialType.rawValue)), value])
    }
}

/// Protection Storage Masks (KMIP 2.0+ §7.x): the acceptable combinations of protection storage.
public struct ProtectionStorageMasks: Hashable, Sendable, KMIPCodable, ExpressibleByArrayLiteral {
    /// The masks, each an acceptable combination.
    public var masks: [ProtectionStorageMask]

    /// Creates the structure.
    public init(_ masks: [ProtectionStorageMask]) { self.masks = masks }

    public init(arrayLiteral elements: ProtectionStorageMask...) { self.masks = elements }

    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        masks = try reader.decodeRepeated(.protectionStorageMask)
        try reader.finish()
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        var writer = KMIPStructureWriter("Protection Storage Masks", context: context, capacity: masks.count)
        try writer.encode(masks, .protectionStorageMask)
        return writer.item(tag: tag)
    }
}
