// swift-kmip: KMIPServer
//
// Re-key, Re-key Key Pair, Check, Adjust Attribute, and the Usage Limits the cryptographic
// operations count down.

import KMIP

extension KMIPServerEngine {
    // MARK: - Re-key

    /// Attributes a replacement key does not inherit from the key it replaces: the server sets
    /// them anew, computes them from the Offset, or moves them (Name) (1.x §4.4, 2.x §6.1.42).
    static let notInheritedOnReKey: Set<AttributeName> = [
        .uniqueIdentifier, .objectType, .state, .initialDate, .activationDate, .processStartDate, .protectStopDate,
        .deactivationDate, .destroyDate, .compromiseDate, .compromiseOccurrenceDate, .lastChangeDate, .revocationReason,
        .originalCreationDate, .digest, .fresh, .keyValuePresent, .link, .name, .usageLimits, .randomNumberGenerator,
    ]

    /// Attributes of which an object may hold several instances: a request's instance is added to
    /// the inherited ones; of any other attribute, the request's value replaces the inherited one.
    static let multiInstance: Set<AttributeName> = [
        .name, .objectGroup, .link, .applicationSpecificInformation, .cryptographicParameters, .alternativeName,
        .keyValueLocation, .digitalSignatureAlgorithm,
    ]

    /// The attributes of a replacement for `old`: the inherited ones, the names moved from `old`,
    /// the lifecycle dates shifted by `offset` (or copied without one), Usage Limits reset, then
    /// the request's own attributes.
    func replacementAttributes(of old: Attributes, offset: KMIPInterval?, requested: Attributes?) -> Attributes {
        var attributes = Attributes(old.list.filter { !Self.notInheritedOnReKey.contains($0.name) })
        attributes.names = old.names
        let dates: [AttributeName] = [.processStartDate, .protectStopDate, .deactivationDate]
        if let offset {
            // Activation = now + Offset; the other dates keep their distance to the activation.
            let activation = KMIPDateTime(secondsSince1970: clock().secondsSince1970 + Int64(offset.seconds))
            attributes.activationDate = activation
            if let previous = old.activationDate {
                let shift = activation.secondsSince1970 - previous.secondsSince1970
                for name in dates {
                    if let date = try? old.value(KMIPDateTime.self, of: name) {
                        attributes.set(KMIPDateTime(secondsSince1970: date.secondsSince1970 + shift), for: name)
                    }
                }
            }
        } else {
            for name in [AttributeName.activationDate] + dates {
                if let date = try? old.value(KMIPDateTime.self, of: name) { attributes.set(date, for: name) }
            }
        }
        if let limits = Self.usageLimits(old) {
            attributes.usageLimits = UsageLimits(usageLimitsTotal: limits.total, usageLimitsCount: limits.total, usageLimitsUnit: limits.unit)
        }
        for attribute in requested ?? Attributes() {
            if !Self.multiInstance.contains(attribute.name) && !attribute.name.isVendorAttribute {
                attributes.remove(attribute.name)
            }
            attributes.append(attribute)
        }
        return attributes
    }

    /// Re-key (1.x §4.4, 2.x §6.1.42): a new symmetric key replacing an existing one, with the
    /// Replaced Object Link to it and a Replacement Object Link from it; returns the new identifier.
    func reKey(_ request: ReKeyRequest, context: RequestContext) async throws -> String {
        var old = try await owned(request.uniqueIdentifier, context)
        guard old.objectType == .symmetricKey else {
            throw OperationFailure(context.version.major >= 2 ? .invalidObjectType : .illegalOperation, "Re-key replaces symmetric keys; object \(old.id) is a \(old.objectType) (Re-key Key Pair replaces key pairs)")
        }
        guard let block = old.object?.keyBlock else { throw OperationFailure(.objectDestroyed, "object \(old.id) was destroyed") }
        guard let algorithm = old.attributes.cryptographicAlgorithm ?? block.cryptographicAlgorithm,
            let length = old.attributes.cryptographicLength ?? block.cryptographicLength
        else {
            throw OperationFailure(.invalidField, "object \(old.id) has no Cryptographic Algorithm and Length to make its replacement with")
        }
        let bytes = try symmetricKeyBytes(algorithm: algorithm, length: length)
        var attributes = replacementAttributes(of: old.attributes, offset: request.offset, requested: request.attributes)
        if context.version >= .v1_4 { attributes.randomNumberGenerator = RNGParameters(rngAlgorithm: .drbg) }
        let id = try await insert(
            .symmetricKey(SymmetricKey(keyBlock: .raw(bytes, algorithm: algorithm, length: length))), type: .symmetricKey,
            attributes: &attributes, context: context, links: [Link(linkType: .replacedObjectLink, linkedObjectIdentifier: .text(old.id))])
        old.attributes.names = []
        old.attributes.links.append(Link(linkType: .replacementObjectLink, linkedObjectIdentifier: .text(id)))
        try await save(&old)
        return id
    }

    /// Re-key Key Pair (1.1+ §4.5, 2.x §6.1.43): a new key pair of the same algorithm and size
    /// replacing an existing one; both new keys link to each other and to the keys they replace.
    func reKeyKeyPair(_ request: ReKeyKeyPairRequest, context: RequestContext) async throws -> (privateKey: String, publicKey: String) {
        var oldPrivate = try await owned(request.privateKeyUniqueIdentifier, context)
        guard oldPrivate.objectType == .privateKey else {
            throw OperationFailure(context.version.major >= 2 ? .invalidObjectType : .illegalOperation, "Re-key Key Pair takes a private key; object \(oldPrivate.id) is a \(oldPrivate.objectType)")
        }
        guard oldPrivate.object != nil else { throw OperationFailure(.objectDestroyed, "object \(oldPrivate.id) was destroyed") }
        guard let publicID = oldPrivate.attributes.links.first(where: { $0.linkType == .publicKeyLink })?.linkedObjectIdentifier else {
            throw OperationFailure(.invalidField, "private key \(oldPrivate.id) has no Public Key Link")
        }
        var oldPublic = try await owned(publicID, context)
        guard let algorithm = oldPrivate.attributes.cryptographicAlgorithm else {
            throw OperationFailure(.invalidField, "private key \(oldPrivate.id) has no Cryptographic Algorithm")
        }
        let blocks = try cryptography.makeKeyPair(
            algorithm: algorithm, length: oldPrivate.attributes.cryptographicLength,
            curve: oldPrivate.attributes.cryptographicDomainParameters?.recommendedCurve)
        func requested(_ specific: Attributes?) -> Attributes {
            var attributes = request.commonAttributes ?? Attributes()
            for attribute in specific ?? Attributes() {
                if !Self.multiInstance.contains(attribute.name) { attributes.remove(attribute.name) }
                attributes.append(attribute)
            }
            return attributes
        }
        var privateAttributes = replacementAttributes(of: oldPrivate.attributes, offset: request.offset, requested: requested(request.privateKeyAttributes))
        var publicAttributes = replacementAttributes(of: oldPublic.attributes, offset: request.offset, requested: requested(request.publicKeyAttributes))
        if context.version >= .v1_4 {
            privateAttributes.randomNumberGenerator = RNGParameters(rngAlgorithm: .drbg)
            publicAttributes.randomNumberGenerator = RNGParameters(rngAlgorithm: .drbg)
        }
        let newPrivate = try await store.makeIdentifier()
        let newPublic = try await store.makeIdentifier()
        _ = try await insert(
            .privateKey(PrivateKey(keyBlock: blocks.privateKey)), type: .privateKey, attributes: &privateAttributes, context: context,
            id: newPrivate, links: [
                Link(linkType: .publicKeyLink, linkedObjectIdentifier: .text(newPublic)),
                Link(linkType: .replacedObjectLink, linkedObjectIdentifier: .text(oldPrivate.id)),
            ])
        _ = try await insert(
            .publicKey(PublicKey(keyBlock: blocks.publicKey)), type: .publicKey, attributes: &publicAttributes, context: context,
            id: newPublic, links: [
                Link(linkType: .privateKeyLink, linkedObjectIdentifier: .text(newPrivate)),
                Link(linkType: .replacedObjectLink, linkedObjectIdentifier: .text(oldPublic.id)),
            ])
        oldPrivate.attributes.names = []
        oldPrivate.attributes.links.append(Link(linkType: .replacementObjectLink, linkedObjectIdentifier: .text(newPrivate)))
        try await save(&oldPrivate)
        oldPublic.attributes.names = []
        oldPublic.attributes.links.append(Link(linkType: .replacementObjectLink, linkedObjectIdentifier: .text(newPublic)))
        try await save(&oldPublic)
        return (newPrivate, newPublic)
    }

    /// Random bytes for a new symmetric key of `algorithm` and `length` bits, for the lengths
    /// the server makes (AES 128/192/256, ChaCha20 256, HMAC keys of 128 to 4096 bits).
    func symmetricKeyBytes(algorithm: CryptographicAlgorithm, length: Int32) throws -> [UInt8] {
        let allowed: Bool = switch algorithm {
        case .aes: [128, 192, 256].contains(length)
        case .chaCha20: length == 256
        case .hmacSHA1, .hmacSHA256, .hmacSHA384, .hmacSHA512: length >= 128 && length % 8 == 0 && length <= 4096
        default: false
        }
        guard allowed else {
            throw OperationFailure(.cryptographicFailure, "cannot make a \(algorithm) key of \(length) bits")
        }
        var generator = SystemRandomNumberGenerator()
        return (0..<Int(length / 8)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    // MARK: - Check

    /// Check (1.x §4.10, 2.x §6.1.4): whether the object may be used as the request says. A
    /// refusal is Permission Denied naming what failed, and empties the ID Placeholder.
    func check(_ request: CheckRequest, context: inout RequestContext) async throws -> CheckResponse {
        let stored = try await owned(request.uniqueIdentifier, context)
        var refused: [String] = []
        if let wanted = request.usageLimitsCount {
            if wanted < 0 { throw OperationFailure(.invalidField, "Usage Limits Count must not be negative (\(wanted))") }
            if let limits = Self.usageLimits(stored.attributes), limits.count < wanted {
                refused.append("Usage Limits Count: \(wanted) asked, \(limits.count) left")
            }
        }
        if let wanted = request.cryptographicUsageMask, let mask = stored.attributes.cryptographicUsageMask, !mask.contains(wanted) {
            refused.append("Cryptographic Usage Mask: the object's mask does not allow every usage asked for")
        }
        if let wanted = request.leaseTime, let lease = stored.attributes.leaseTime, wanted > lease {
            refused.append("Lease Time: \(wanted.seconds) s asked, the object's lease is \(lease.seconds) s")
        }
        if stored.object == nil { refused.append("State: the object was destroyed") }
        guard refused.isEmpty else {
            context.placeholder = nil
            throw OperationFailure(.permissionDenied, "object \(stored.id) may not be used so: \(refused.joined(separator: "; "))")
        }
        context.placeholder = stored.id
        return CheckResponse(uniqueIdentifier: .text(stored.id))
    }

    // MARK: - Adjust Attribute

    /// Adjust Attribute (2.x §6.1.2): increments, decrements or negates a numeric (or date)
    /// attribute in place; negating a Boolean flips it.
    func adjustAttribute(_ request: AdjustAttributeRequest, context: RequestContext) async throws -> AdjustAttributeResponse {
        var stored = try await owned(request.uniqueIdentifier, context)
        let name = request.attributeName
        try Self.checkClientModifiable(name)
        let instances = stored.attributes.list.indices.filter { stored.attributes.list[$0].name == name }
        guard let index = instances.first else { throw OperationFailure(.attributeNotFound, "object \(stored.id) has no \(name)") }
        guard instances.count == 1 else {
            throw OperationFailure(.multiValuedAttribute, "object \(stored.id) has \(instances.count) instances of \(name); Adjust Attribute takes a single-valued one")
        }
        let current = stored.attributes.list[index].value
        stored.attributes.list[index].value = try Self.adjusted(current, request.adjustmentType, by: request.adjustmentValue, name: name)
        try await save(&stored)
        return AdjustAttributeResponse(uniqueIdentifier: .text(stored.id))
    }

    /// `value` adjusted: Increment and Decrement add or subtract the adjustment (1 when none is
    /// given), Negate negates a number or flips a Boolean. Overflow is Numeric Range.
    static func adjusted(_ value: KMIPItem.Value, _ type: AdjustmentType, by adjustment: KMIPItem.Value?, name: AttributeName) throws -> KMIPItem.Value {
        if type == .negate {
            guard adjustment == nil else { throw OperationFailure(.invalidField, "Negate takes no Adjustment Value") }
            switch value {
            case .boolean(let flag): return .boolean(!flag)
            case .integer(let number) where number != .min: return .integer(-number)
            case .longInteger(let number) where number != .min: return .longInteger(-number)
            case .integer, .longInteger: throw OperationFailure(.numericRange, "\(name) cannot be negated")
            default: throw OperationFailure(.invalidDataType, "\(name) is not a number or a Boolean; it cannot be negated")
            }
        }
        guard type == .increment || type == .decrement else {
            throw OperationFailure(.invalidField, "unknown Adjustment Type \(type.rawValue)")
        }
        let step: Int64
        switch adjustment {
        case nil: step = 1
        case .integer(let number)?: step = Int64(number)
        case .longInteger(let number)?: step = number
        case .interval(let seconds)?: step = Int64(seconds)
        default: throw OperationFailure(.invalidDataType, "the Adjustment Value must be an Integer, Long Integer or Interval")
        }
        let signed = type == .increment ? step : -step
        func add(_ number: Int64, within range: ClosedRange<Int64>) throws -> Int64 {
            let (sum, overflow) = number.addingReportingOverflow(signed)
            guard !overflow, range.contains(sum) else { throw OperationFailure(.numericRange, "\(name) adjusted by \(signed) is out of range") }
            return sum
        }
        switch value {
        case .integer(let number): return .integer(Int32(try add(Int64(number), within: Int64(Int32.min)...Int64(Int32.max))))
        case .longInteger(let number): return .longInteger(try add(number, within: .min ... .max))
        case .interval(let seconds): return .interval(UInt32(try add(Int64(seconds), within: 0...Int64(UInt32.max))))
        case .dateTime(let seconds): return .dateTime(try add(seconds, within: .min ... .max))
        case .dateTimeExtended(let microseconds):
            let (scaled, overflow) = signed.multipliedReportingOverflow(by: 1_000_000)
            guard !overflow else { throw OperationFailure(.numericRange, "\(name) adjusted by \(signed) s is out of range") }
            let (sum, overflowed) = microseconds.addingReportingOverflow(scaled)
            guard !overflowed else { throw OperationFailure(.numericRange, "\(name) adjusted by \(signed) s is out of range") }
            return .dateTimeExtended(sum)
        default:
            throw OperationFailure(.invalidDataType, "\(name) is not a number or a date; it cannot be incremented or decremented")
        }
    }

    // MARK: - Usage Limits

    /// The Usage Limits of an object (1.x §3.21, 2.x §4.56): the total, what is left (the Total
    /// when the client gave no Count) and the unit; `nil` when it has none.
    static func usageLimits(_ attributes: Attributes) -> (total: Int64, count: Int64, unit: UsageLimitsUnit)? {
        guard let attribute = attributes.all(.usageLimits).first, case .structure(let fields) = attribute.value else { return nil }
        let item = KMIPItem(.usageLimits, structure: fields)
        guard case .longInteger(let total)? = item.child(.usageLimitsTotal)?.value else { return nil }
        var count = total
        if case .longInteger(let given)? = item.child(.usageLimitsCount)?.value { count = given }
        var unit = UsageLimitsUnit.object
        if case .enumeration(let raw)? = item.child(.usageLimitsUnit)?.value { unit = UsageLimitsUnit(rawValue: raw) }
        return (total, count, unit)
    }

    /// How much of a key's Usage Limits an operation on `bytes` bytes of data takes: the bytes,
    /// or one object.
    static func usage(_ unit: UsageLimitsUnit, bytes: Int) -> Int64 {
        unit == .byte ? Int64(bytes) : 1
    }

    /// Refuses (Permission Denied, as the OASIS test cases answer) an operation that would
    /// exceed the key's Usage Limits.
    func checkUsageLimits(_ stored: StoredObject, bytes: Int, context: RequestContext) throws {
        guard let limits = Self.usageLimits(stored.attributes) else { return }
        let needed = Self.usage(limits.unit, bytes: bytes)
        guard needed <= limits.count else {
            throw OperationFailure(.permissionDenied, "object \(stored.id)'s Usage Limits are exhausted (\(limits.count) of \(limits.total) left; \(context.operation) needs \(needed))")
        }
    }

    /// Counts an operation on `bytes` bytes of data against the key's Usage Limits.
    func recordUsage(_ stored: StoredObject, bytes: Int) async throws {
        guard let limits = Self.usageLimits(stored.attributes) else { return }
        var updated = stored
        updated.attributes.usageLimits = UsageLimits(
            usageLimitsTotal: limits.total, usageLimitsCount: max(0, limits.count - Self.usage(limits.unit, bytes: bytes)), usageLimitsUnit: limits.unit)
        if journal != nil, let previous = try await store.object(stored.id) { journal?.append(.updated(previous)) }
        try await store.update(updated)
    }
}
