@{
    RootModule           = 'MailOAuth.dll'
    # Stamped by build.ps1 from Directory.Build.props (VersionPrefix): the one place the version lives.
    ModuleVersion        = '0.0.0'
    GUID                 = '5d0c6f0e-3b8f-4c52-9a55-6f1b7e0c2a91'
    Author               = 'MailOAuth contributors'
    CompanyName          = 'MailOAuth'
    Copyright            = '(c) MailOAuth contributors. MIT licence.'
    Description          = 'Sets up and keeps working "send mail through Microsoft Graph with OAuth" for a Microsoft 365 tenant: Entra app, client secret, Mail.Send admin consent, platform SMTP settings, test e-mail, diagnosis of every failure, and secret rotation.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('MailOAuth.Format.ps1xml')
    CmdletsToExport      = @(
        'Add-MailOAuthEnvironment'
        'Connect-MailOAuth'
        'Disconnect-MailOAuth'
        'Get-MailOAuthApp'
        'Get-MailOAuthSecret'
        'Update-MailOAuthSecret'
        'Remove-MailOAuthSecret'
        'Get-MailOAuthEnvironment'
        'Grant-MailSendConsent'
        'New-MailOAuthApp'
        'Remove-MailOAuthApp'
        'Send-MailOAuthTest'
        'Get-ResellerSmtpSetting'
        'Send-ResellerTestEmail'
        'Set-ResellerSmtpSetting'
        'Test-MailOAuthConfiguration'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            # Gallery metadata (the nupkg's nuspec is made from it by build.ps1 -Task Package).
            Tags         = @('Microsoft365', 'Graph', 'OAuth', 'Entra', 'SMTP', 'Mail', 'Exchange', 'AzureAutomation', 'PSEdition_Core', 'PSEdition_Desktop')
            ProjectUri   = 'https://github.com/MailOAuth/MailOAuth'
            LicenseUri   = 'https://github.com/MailOAuth/MailOAuth/blob/main/LICENSE'
            ReleaseNotes = 'See README.md.'
        }
    }
}
