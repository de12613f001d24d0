using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.Entra;

/// <summary>
/// Checks a sender address before anything is created: its domain is a verified domain of the tenant,
/// the user exists, and it has an Exchange Online plan. Fails with the matching diagnosis when the
/// address can never work; warns when it may (a shared mailbox needs no licence).
/// </summary>
internal static class SenderCheck
{
    /// <summary>
    /// The UPN of the one user who has <paramref name="address"/> as an e-mail address but not as UPN: its
    /// <c>mail</c> (primary SMTP address) first, then its <c>proxyAddresses</c> (aliases). Null when no user or
    /// several do. Graph's /users/{id | userPrincipalName} resolves neither (docs/service-behaviour.md#users).
    /// </summary>
    public static async Task<string?> FindUpnAsync(DirectoryClient directory, string address, CancellationToken ct)
    {
        var byMail = await directory.FindUsersByMailAsync(address, ct).ConfigureAwait(false);
        if (byMail.Count == 0) byMail = await directory.FindUsersByProxyAddressAsync(address, ct).ConfigureAwait(false);
        return byMail.Count == 1 && byMail[0].UserPrincipalName is { } upn && !string.Equals(upn, address, StringComparison.OrdinalIgnoreCase) ? upn : null;
    }

    /// <summary>
    /// Sharpens a "no user or mailbox" from sending as <paramref name="senderAddress"/> (Send-MailOAuthTest, a
    /// platform's test): with an admin connection to the same tenant, the address is looked up and the UPN to use
    /// named; without one (or when the lookup cannot run) the failure stays as it was, whose text already says
    /// that Graph does not resolve an SMTP address and how to get it looked up.
    /// </summary>
    public static async Task<MailOAuthException> ExplainNotFoundAsync(MailOAuthSession session, MailOAuthException failure, string? tenantId,
        string? senderAddress, CancellationToken ct)
    {
        if (failure.Code != DiagnosisCode.SenderMailboxNotFound || string.IsNullOrEmpty(senderAddress) || senderAddress!.IndexOf('@') < 0) return failure;
        var connection = session.Connection;
        if (connection is null || (tenantId is not null && !string.Equals(connection.TenantId, tenantId, StringComparison.OrdinalIgnoreCase)))
            return failure;
        try
        {
            var directory = new DirectoryClient(connection);
            if (await FindUpnAsync(directory, senderAddress, ct).ConfigureAwait(false) is { } upn)
                return new MailOAuthException(DiagnosisCatalog.SenderIsMailNotUpn(senderAddress, upn, failure.Diagnosis), failure);
            return new MailOAuthException(failure.Diagnosis.WithNote(DiagnosisCatalog.SenderLookedUpNotFoundNote(senderAddress, connection.TenantId)), failure);
        }
        catch (MailOAuthException lookup)
        {
            // The lookup is a courtesy: its own failure (say, no User.Read.All) must not hide the real one.
            OperationContext.CurrentReporter.Verbose($"Could not look up '{senderAddress}' in the directory: {lookup.Diagnosis.Message}");
            return failure;
        }
    }

    public static async Task VerifyAsync(DirectoryClient directory, string senderAddress, CancellationToken ct)
    {
        var reporter = OperationContext.CurrentReporter;
        var domain = senderAddress.Substring(senderAddress.IndexOf('@') + 1);
        try
        {
            var domains = await directory.GetDomainsAsync(ct).ConfigureAwait(false);
            var match = domains.FirstOrDefault(d => string.Equals(d.Id, domain, StringComparison.OrdinalIgnoreCase));
            if (match is null || match.IsVerified != true)
            {
                var verified = string.Join(", ", domains.Where(d => d.IsVerified == true).Select(d => d.Id));
                throw new MailOAuthException(DiagnosisCatalog.SenderDomainUnusable(senderAddress, domain, directory.TenantId, addedButUnverified: match is not null, verified));
            }
        }
        catch (MailOAuthException ex) when (ex.Code == DiagnosisCode.InsufficientPrivileges)
        {
            reporter.Warning($"Could not check that '{domain}' is a verified domain (the connection lacks Domain.Read.All); continuing.");
        }

        Microsoft.Graph.Models.User? user;
        try
        {
            user = await directory.GetUserAsync(senderAddress, ct).ConfigureAwait(false);
        }
        catch (MailOAuthException ex) when (ex.Code == DiagnosisCode.InsufficientPrivileges)
        {
            reporter.Warning($"Could not check mailbox '{senderAddress}' (the connection lacks User.Read.All); continuing. Send-MailOAuthTest will prove it.");
            return;
        }
        if (user is null)
        {
            // Graph addresses a mailbox by id or UPN only (docs/service-behaviour.md#users): an SMTP address that differs from the
            // UPN is a common hybrid-tenant mistake, and worth naming precisely.
            if (await FindUpnAsync(directory, senderAddress, ct).ConfigureAwait(false) is { } upn)
                throw new MailOAuthException(DiagnosisCatalog.SenderIsMailNotUpn(senderAddress, upn));
            throw new MailOAuthException(DiagnosisCatalog.SenderUserNotFound(senderAddress, directory.TenantId));
        }
        if (string.Equals(user.UserType, "Guest", StringComparison.OrdinalIgnoreCase))
            throw new MailOAuthException(DiagnosisCatalog.SenderIsGuest(senderAddress));
        var hasExchange = user.AssignedPlans?.Any(p => string.Equals(p.Service, "exchange", StringComparison.OrdinalIgnoreCase)
            && string.Equals(p.CapabilityStatus, "Enabled", StringComparison.OrdinalIgnoreCase)) == true;
        if (!hasExchange)
            reporter.Warning(user.OnPremisesSyncEnabled == true
                ? $"'{senderAddress}' is synchronised from on-premises and has no Exchange Online plan: if its mailbox is hosted on-premises, Graph cannot send as it (SenderMailboxNotLicensed)."
                : $"'{senderAddress}' has no Exchange Online plan: unless it is a shared mailbox, sending will fail with SenderMailboxNotLicensed. Assign a licence that includes Exchange Online.");
    }
}
