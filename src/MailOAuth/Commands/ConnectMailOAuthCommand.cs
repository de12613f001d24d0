using System.Management.Automation;
using System.Security;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Infrastructure;
using MailOAuth.Output;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>Opens the admin session used for provisioning, with any Azure.Identity sign-in method.</summary>
[Cmdlet(VerbsCommunications.Connect, "MailOAuth", DefaultParameterSetName = Interactive)]
[OutputType(typeof(MailOAuthConnection))]
public sealed class ConnectMailOAuthCommand : MailOAuthCmdlet
{
    private const string Interactive = "Interactive";
    private const string DeviceCode = "DeviceCode";
    private const string Secret = "ClientSecret";
    private const string CertificateFile = "CertificatePath";
    private const string CertificateStore = "CertificateThumbprint";
    private const string Managed = "ManagedIdentity";
    private const string Token = "AccessToken";
    private const string Federated = "FederatedToken";
    private const string FederatedFile = "FederatedTokenFile";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = Interactive)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DeviceCode)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = Secret)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CertificateFile)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CertificateStore)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = Federated)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FederatedFile)]
    [Parameter(Position = 0, ParameterSetName = Managed)]
    [Parameter(Position = 0, ParameterSetName = Token)]
    [NormalizeIdentifier]
    [ValidateTenantId]
    public string? TenantId { get; set; }

    [Parameter(ParameterSetName = Interactive)]
    [Parameter(ParameterSetName = DeviceCode)]
    [Parameter(Mandatory = true, ParameterSetName = Secret)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateFile)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateStore)]
    [Parameter(Mandatory = true, ParameterSetName = Federated)]
    [Parameter(Mandatory = true, ParameterSetName = FederatedFile)]
    [Parameter(ParameterSetName = Managed)]
    [Alias("AppId", "ApplicationId")]
    [NormalizeIdentifier]
    [ValidateClientId]
    public string? ClientId { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = DeviceCode)]
    public SwitchParameter UseDeviceCode { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = Secret)]
    [ValidateNotNull]
    [ValidateSecretText]
    public SecureString? ClientSecret { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CertificateFile)]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    [Parameter(ParameterSetName = CertificateFile)]
    public SecureString? CertificatePassword { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = CertificateStore)]
    [ValidatePattern("^[0-9A-Fa-f]{40}$")]
    public string? CertificateThumbprint { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = Managed)]
    public SwitchParameter ManagedIdentity { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = Token)]
    [ValidateNotNull]
    [ValidateSecretText]
    public SecureString? AccessToken { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = Federated)]
    [ValidateNotNull]
    [ValidateSecretText]
    public SecureString? FederatedToken { get; set; }

    /// <summary>A file holding the federated token (e.g. AZURE_FEDERATED_TOKEN_FILE), re-read for each assertion.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FederatedFile)]
    [ValidateNotNullOrEmpty]
    public string? FederatedTokenFile { get; set; }

    /// <summary>Interactive or device-code sign-in: also ask for RoleManagement.ReadWrite.Exchange (Grant-MailSendConsent -Scope Mailbox).</summary>
    [Parameter(ParameterSetName = Interactive)]
    [Parameter(ParameterSetName = DeviceCode)]
    public SwitchParameter ExchangeRbac { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Environment { get; set; } = "Global";

    protected override void ProcessRecord()
    {
        RequireEnvironment(Environment);
        var method = ParameterSetName switch
        {
            DeviceCode => ConnectMethod.DeviceCode,
            Secret => ConnectMethod.ClientSecret,
            CertificateFile or CertificateStore => ConnectMethod.Certificate,
            Managed => ConnectMethod.ManagedIdentity,
            Token => ConnectMethod.AccessToken,
            Federated or FederatedFile => ConnectMethod.FederatedToken,
            _ => ConnectMethod.Interactive,
        };
        var request = new ConnectRequest
        {
            TenantId = TenantId ?? "organizations",
            EnvironmentName = Environment,
            Method = method,
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            CertificatePath = CertificatePath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(CertificatePath),
            CertificatePassword = CertificatePassword,
            CertificateThumbprint = CertificateThumbprint,
            AccessToken = AccessToken,
            FederatedToken = FederatedToken,
            FederatedTokenFile = FederatedTokenFile is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(FederatedTokenFile),
            ExchangeRbac = ExchangeRbac,
        };
        // The device code is the admin's next step: it goes to the warning stream, not only Verbose.
        Invoke(TenantId, ct => new ConnectionService(Session).ConnectAsync(request, (prompt, _) =>
        {
            OperationContext.CurrentReporter.Warning(prompt.Message);
            return Task.CompletedTask;
        }, ct), connection => WriteObject(OutputMap.From(connection)), terminating: true);
    }
}
