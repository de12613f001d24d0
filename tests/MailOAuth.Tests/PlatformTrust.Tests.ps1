# A platform behind a private CA: the sandbox's platform certificate is self-signed, so without a registered
# environment pinning it, this machine does not trust it. -PlatformCertificatePath (or a profile's
# certificatePath) trusts it for that platform's host, for that call only.

Describe 'Platform trust: -PlatformCertificatePath' -Tag 'Platform', 'PlatformTrust' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1') # a fresh module import: no Sandbox environment pins the certificate
        $script:sandbox = Start-MailOAuthSandbox
        $script:info = $sandbox.Info
        $script:platform = @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret $info.platform.apiToken) }
        function script:PlatformRequests { @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'platform') }
    }
    AfterAll { if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox } }
    BeforeEach { Reset-MailOAuthSandbox -Sandbox $sandbox }

    It 'refuses the untrusted certificate, sends nothing, and names the option' {
        @(Get-MailOAuthEnvironment | Where-Object { -not $_.IsBuiltIn }).Count | Should -Be 0
        Get-ResellerSmtpSetting @platform -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'NetworkFailure,MailOAuth.Commands.GetResellerSmtpSettingCommand'
        "$($e[0].Exception.Message) $($e[0].ErrorDetails.RecommendedAction)" | Should -Match 'does not trust'
        $e[0].ErrorDetails.RecommendedAction | Should -Match '-PlatformCertificatePath'
        PlatformRequests | Should -BeNullOrEmpty
    }

    It 'trusts it with -PlatformCertificatePath, for that call only' {
        $got = Get-ResellerSmtpSetting @platform -PlatformCertificatePath $info.certificatePath
        $got | Should -BeOfType 'MailOAuth.Output.ResellerSmtpSetting'
        @(PlatformRequests).Count | Should -Be 1
        $r = Send-ResellerTestEmail @platform -To 'admin@contoso.com' -PlatformCertificatePath $info.certificatePath -ErrorAction SilentlyContinue -ErrorVariable e
        $e | Where-Object { $_.FullyQualifiedErrorId -like 'NetworkFailure,*' } | Should -BeNullOrEmpty
        # Nothing global: the next call without it is refused again.
        Get-ResellerSmtpSetting @platform -ErrorAction SilentlyContinue -ErrorVariable again | Should -BeNullOrEmpty
        $again[0].FullyQualifiedErrorId | Should -Be 'NetworkFailure,MailOAuth.Commands.GetResellerSmtpSettingCommand'
    }

    It 'takes the certificate from a profile''s certificatePath' {
        $profilePath = Join-Path $TestDrive 'staging.json'
        @{ name = 'Staging'; certificatePath = $info.certificatePath } | ConvertTo-Json | Set-Content -LiteralPath $profilePath
        (Get-ResellerSmtpSetting @platform -PlatformProfile $profilePath) | Should -BeOfType 'MailOAuth.Output.ResellerSmtpSetting'
    }

    It 'stops before any request for a file that is not a certificate' {
        $bad = Join-Path $TestDrive 'not-a-cert.cer'
        Set-Content -LiteralPath $bad -Value 'not a certificate'
        { Get-ResellerSmtpSetting @platform -PlatformCertificatePath $bad } | Should -Throw -ErrorId 'InvalidPlatformCertificate,MailOAuth.Commands.GetResellerSmtpSettingCommand'
        PlatformRequests | Should -BeNullOrEmpty
    }
}
