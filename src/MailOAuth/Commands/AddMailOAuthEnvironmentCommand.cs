using System;
using System.IO;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailOAuth.Infrastructure;
using MailOAuth.Output;

namespace MailOAuth.Commands;

/// <summary>
/// Adds (or redefines) a custom cloud: a private cloud, or the MailOAuth sandbox for offline rehearsal.
/// Custom clouds turn off MSAL instance discovery and are the only hosts that receive their tokens.
/// </summary>
[Cmdlet(VerbsCommon.Add, "MailOAuthEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(MailOAuthEnvironmentInfo))]
public sealed class AddMailOAuthEnvironmentCommand : MailOAuthCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidatePattern("^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public Uri AuthorityHost { get; set; } = null!;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public Uri GraphEndpoint { get; set; } = null!;

    /// <summary>A certificate file (.cer/.crt/.pem) to trust for this environment's hosts only.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("CertificatePath")]
    [ValidateNotNullOrEmpty]
    public string? TrustedCertificatePath { get; set; }

    /// <summary>The DNS suffix of this cloud's vaults (the sandbox: vault.localhost), for -KeyVaultUri.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidatePattern(@"^\.?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    public string? KeyVaultSuffix { get; set; }

    /// <summary>The resource Key Vault tokens are issued for; default https:// + KeyVaultSuffix.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Uri? KeyVaultAudience { get; set; }

    protected override void ProcessRecord()
    {
        X509Certificate2? pinned = null;
        if (TrustedCertificatePath is not null)
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(TrustedCertificatePath);
            try
            {
                pinned = new X509Certificate2(File.ReadAllBytes(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "TrustedCertificateUnreadable", ErrorCategory.ReadError, TrustedCertificatePath));
            }
        }

        if (!ShouldProcess(Name, $"Add environment (authority {AuthorityHost}, Graph {GraphEndpoint}{(KeyVaultSuffix is null ? "" : $", vaults *.{KeyVaultSuffix.TrimStart('.')}")})")) return;
        try
        {
            WriteObject(EnvironmentOutput.From(Session.Environments.Add(Name, AuthorityHost, GraphEndpoint, pinned, KeyVaultSuffix, KeyVaultAudience)));
        }
        catch (ArgumentException ex)
        {
            WriteError(new ErrorRecord(ex, "InvalidEnvironment", ErrorCategory.InvalidArgument, Name));
        }
    }
}
