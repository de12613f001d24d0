namespace MailOAuth.Core.Diagnostics;

public static partial class DiagnosisCatalog
{
    private const string SignInRemediation =
        "Check the sign-in parameters of Connect-MailOAuth (Get-Help Connect-MailOAuth -Parameter * lists what each method needs). Nothing was sent to Entra ID.";

    /// <summary>
    /// A certificate file that cannot be opened: missing or unreadable, wrong or missing password, or
    /// not a PFX/PEM certificate. Never the .NET text (it may quote the file's content).
    /// </summary>
    public static Diagnosis CertificateUnreadable(string path, bool fileUnreadable) => new(
        DiagnosisCode.InvalidSignInInput,
        fileUnreadable
            ? $"The certificate file '{path}' does not exist or cannot be read."
            : $"The certificate file '{path}' cannot be opened: the password is wrong or missing, or the file is not a PFX (PKCS#12) or PEM certificate.",
        fileUnreadable
            ? "Pass the path of a readable .pfx file with Connect-MailOAuth -CertificatePath (a relative path is resolved against the current location)."
            : "Run Connect-MailOAuth -CertificatePath <file.pfx> -CertificatePassword (Read-Host -AsSecureString) with the file's password, or export the certificate with its private key as a .pfx again.");

    /// <summary>The certificate has no private key: sign-in needs it.</summary>
    public static Diagnosis CertificateWithoutKey(string thumbprint) => new(
        DiagnosisCode.InvalidSignInInput,
        $"Certificate {thumbprint} has no private key: sign-in needs the key (a .pfx, or the store entry with its key).",
        "Use Connect-MailOAuth -CertificatePath with a .pfx that holds the private key, or -CertificateThumbprint of a store entry with its key.");

    /// <summary>No certificate with this thumbprint in either "My" store.</summary>
    public static Diagnosis CertificateNotInStore(string thumbprint) => new(
        DiagnosisCode.InvalidSignInInput,
        $"No certificate with thumbprint {thumbprint} is in the CurrentUser or LocalMachine 'My' store.",
        "Check the thumbprint (Get-ChildItem Cert:\\CurrentUser\\My), or use Connect-MailOAuth -CertificatePath with a .pfx file.");

    /// <summary>A parameter the chosen sign-in method needs was not given.</summary>
    public static Diagnosis SignInParameterMissing(string parameter) => new(
        DiagnosisCode.InvalidSignInInput,
        $"-{parameter} is required for this sign-in method.",
        SignInRemediation);

    /// <summary>A federated token file that does not exist.</summary>
    public static Diagnosis FederatedTokenFileMissing(string path) => new(
        DiagnosisCode.InvalidSignInInput,
        $"The federated token file '{path}' does not exist.",
        "Pass the path of the projected service account token (for AKS workload identity, $env:AZURE_FEDERATED_TOKEN_FILE) with -FederatedTokenFile.");

    /// <summary>An access token from elsewhere for another audience than this cloud's Graph.</summary>
    public static Diagnosis AccessTokenWrongAudience(string? audience, string environment, string graph, string scope) => new(
        DiagnosisCode.InvalidSignInInput,
        $"The access token is for '{audience ?? "(no audience)"}', not Microsoft Graph of the {environment} cloud ({graph}). Get a token for {scope}.",
        $"Get a Microsoft Graph token of this cloud (for example Get-AzAccessToken -ResourceUrl {graph} -AsSecureString) and pass it with -AccessToken, or pass -Environment for the token's cloud.");

    /// <summary>An access token from elsewhere that has already expired.</summary>
    public static Diagnosis AccessTokenExpired(System.DateTimeOffset expiredAt, string graph) => new(
        DiagnosisCode.InvalidSignInInput,
        $"The access token expired at {expiredAt:u}. Get a new one (for example Get-AzAccessToken -ResourceUrl {graph}).",
        "Get a fresh token and run Connect-MailOAuth -AccessToken again; a token passed this way is never renewed.");

    /// <summary>The chosen sign-in method cannot work on this machine (e.g. no managed identity here).</summary>
    public static Diagnosis SignInMethodUnavailable(string libraryMessage) => new(
        DiagnosisCode.InvalidSignInInput,
        "The sign-in method chosen is not available here: " + FirstLine(libraryMessage),
        "Use a sign-in method this machine supports: -ManagedIdentity only on an Azure resource with a managed identity, -FederatedToken / -FederatedTokenFile with a workload identity token, else -ClientSecret, a certificate or interactive sign-in.");
}
