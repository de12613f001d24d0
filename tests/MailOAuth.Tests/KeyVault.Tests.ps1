# -KeyVaultUri on New-MailOAuthApp and Update-MailOAuthSecret against the sandbox's Key Vault (docs/sandbox.md "Key Vault").
Describe 'Key Vault for runbooks: the new secret stored in a vault' -Tag 'KeyVault' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-TestSandbox
        $script:info = $sandbox.Info
        $script:vault = $info.keyVault.uri
        $script:platform = Get-PlatformParams $sandbox
        function script:Requests { @(Get-MailOAuthSandboxRequest -Sandbox $sandbox) }
        function script:VaultRequests { @(Requests | Where-Object kind -eq 'keyvault') }
        function script:Writes { @(Requests | Where-Object { $_.method -in 'POST', 'PATCH', 'PUT', 'DELETE' }) }
        function script:VaultState { Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Path '/_sandbox/keyvault' }
        function script:Plain([securestring] $s) { [System.Net.NetworkCredential]::new('', $s).Password }
        function script:New-Name([string] $Prefix) { "$Prefix $([guid]::NewGuid().ToString('N').Substring(0, 8))" }
        function script:New-PlatformApp {
            $app = New-MailOAuthApp -DisplayName (New-Name 'Vault rotation') -SenderAddress $info.mailboxes.licensed | Grant-MailSendConsent -PassThru
            $app | Set-ResellerSmtpSetting @platform | Out-Null
            $app
        }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach {
        Reset-SandboxTest -Sandbox $sandbox
        [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/keyvault')
    }

    It 'New-MailOAuthApp -KeyVaultUri stores the value, tagged, under the name derived from the display name' {
        $name = New-Name 'Email OAuth'
        $app = New-MailOAuthApp -DisplayName $name -KeyVaultUri $vault -WarningVariable warnings -Verbose 4>&1 |
            Tee-Object -Variable stream | Where-Object { $_ -is [MailOAuth.Output.MailOAuthApp] }
        $secretName = $name -replace ' ', '-'

        $app.KeyVaultStatus | Should -Be 'Stored'
        $app.KeyVaultError | Should -BeNullOrEmpty
        "$($app.KeyVaultSecretId)" | Should -Match "^$([regex]::Escape($vault))/secrets/$secretName/[0-9a-f]{32}$"
        $warnings | Should -BeNullOrEmpty
        @($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -like "*Store the client secret of '$name' in Key Vault secret '$secretName' at $vault*" }).Count | Should -Be 1

        # The SDK's challenge (this sandbox's vault is new to the process): a first PUT without a token (401), then the PUT that stores.
        (VaultRequests | ForEach-Object { "$($_.method) $($_.path) $($_.status) $($_.vault)" }) -join ',' |
            Should -Be "PUT /secrets/$secretName 401 mailoauth,PUT /secrets/$secretName 200 mailoauth"
        # Read back through the vault's own API (no Graph): the value is the output's secret, with the tags.
        $stored = Get-MailOAuthSandboxVaultSecret -Sandbox $sandbox -Name $secretName
        $stored.value | Should -Be (Plain $app.ClientSecret)
        $stored.id | Should -Be "$($app.KeyVaultSecretId)"
        $stored.contentType | Should -Be 'client-secret'
        $stored.attributes.exp | Should -Be $app.SecretExpiresOn.ToUnixTimeSeconds()
        $stored.tags.ClientId | Should -Be $app.ClientId
        $stored.tags.KeyId | Should -Be $app.SecretKeyId
        $stored.tags.TenantId | Should -Be $app.TenantId
        $stored.tags.ManagedBy | Should -Be 'MailOAuth'
        [datetimeoffset]::Parse($stored.tags.ExpiresOn) | Should -Be ([datetimeoffset]::FromUnixTimeSeconds($app.SecretExpiresOn.ToUnixTimeSeconds()))
        # The control view shows only a hint, the output's SecretHint.
        $view = (VaultState).secrets | Where-Object name -eq $secretName
        $view.versions[0].valueHint | Should -Be $app.SecretHint
        $view.versions[0].PSObject.Properties.Name | Should -Not -Contain 'value'
    }

    It 'Update-MailOAuthSecret -KeyVaultUri stores the rotated value as a new version and finishes the rotation' {
        $app = New-PlatformApp
        $app2 = New-MailOAuthApp -DisplayName (New-Name 'Other') -KeyVaultUri $vault -KeyVaultSecretName 'Email-OAuth' # version 1
        $rotated = Update-MailOAuthSecret -ClientId $app.ClientId @platform -KeyVaultUri $vault -KeyVaultSecretName 'Email-OAuth'

        $rotated.KeyVaultStatus | Should -Be 'Stored'
        $rotated.PlatformUpdated | Should -BeTrue
        $rotated.ProvenBy | Should -Contain 'PlatformTest'
        $rotated.RemovedKeyIds | Should -Be @($app.SecretKeyId)
        $versions = @((Get-MailOAuthSandboxVaultSecret -Sandbox $sandbox -Name 'Email-OAuth' -Versions).value)
        $versions.Count | Should -Be 2
        @($versions | ForEach-Object { $_.tags.KeyId }) | Should -Be @($app2.SecretKeyId, $rotated.SecretKeyId)
        $current = Get-MailOAuthSandboxVaultSecret -Sandbox $sandbox -Name 'Email-OAuth'
        $current.value | Should -Be (Plain $rotated.ClientSecret)
        $current.id | Should -Be "$($rotated.KeyVaultSecretId)"
        (Get-ResellerSmtpSetting @platform).ClientSecretHint | Should -Be $rotated.SecretHint
    }

    It 'a vault that denies writes: a warning, KeyVaultStatus Failed, KeyVaultAccessDenied, the value in the output and the rotation completed' {
        $app = New-PlatformApp
        [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/keyvault' -Body @{ denyWrites = $true })

        $rotated = Update-MailOAuthSecret -ClientId $app.ClientId @platform -KeyVaultUri $vault -WarningVariable warnings -ErrorVariable errors 3>$null

        $errors | Should -BeNullOrEmpty
        $rotated.KeyVaultStatus | Should -Be 'Failed'
        $rotated.KeyVaultError | Should -Be 'KeyVaultAccessDenied'
        $rotated.KeyVaultSecretId | Should -BeNullOrEmpty
        @($warnings | Where-Object { "$_" -like 'KeyVaultAccessDenied:*Key Vault Secrets Officer*' }).Count | Should -Be 1
        (Plain $rotated.ClientSecret).Length | Should -BeGreaterThan 15
        $rotated.PlatformUpdated | Should -BeTrue
        $rotated.ProvenBy | Should -Contain 'PlatformTest'
        $rotated.RemovedKeyIds | Should -Be @($app.SecretKeyId)
        (Get-ResellerSmtpSetting @platform).ClientSecretHint | Should -Be $rotated.SecretHint
        (VaultState).secrets | Should -BeNullOrEmpty
        @(VaultRequests | Where-Object status -eq 403).Count | Should -Be 1
    }

    It 'the seeded denied vault refuses New-MailOAuthApp with the RBAC answer, and the app and its secret are still output' {
        $app = New-MailOAuthApp -DisplayName (New-Name 'Denied') -KeyVaultUri $info.keyVault.deniedUri -WarningAction SilentlyContinue
        $app.KeyVaultStatus | Should -Be 'Failed'
        $app.KeyVaultError | Should -Be 'KeyVaultAccessDenied'
        (Plain $app.ClientSecret).Length | Should -BeGreaterThan 15
        Get-MailOAuthApp -ClientId $app.ClientId | Should -Not -BeNullOrEmpty
    }

    It '-WhatIf names the vault write and sends no request to the vault (nor any write)' {
        $app = New-PlatformApp
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $transcript = Join-Path ([IO.Path]::GetTempPath()) "mailoauth-kv-whatif-$([guid]::NewGuid()).txt"
        Start-Transcript -Path $transcript | Out-Null
        try {
            New-MailOAuthApp -DisplayName 'What if' -KeyVaultUri $vault -WhatIf | Should -BeNullOrEmpty
            Update-MailOAuthSecret -ClientId $app.ClientId @platform -KeyVaultUri $vault -KeyVaultSecretName 'Rotated' -WhatIf | Should -BeNullOrEmpty
        }
        finally { Stop-Transcript | Out-Null }
        $text = Get-Content -Raw $transcript; Remove-Item $transcript
        $text | Should -BeLike "*Store the client secret of 'What if' in Key Vault secret 'What-if' at $vault*"
        $text | Should -BeLike "*Store the client secret of '*' in Key Vault secret 'Rotated' at $vault*"
        VaultRequests | Should -BeNullOrEmpty
        Writes | Should -BeNullOrEmpty
    }

    It 'a URI that is not a vault URI is a parameter error; a vault of another cloud is refused before any write' -ForEach @(
        @{ Uri = 'http://mailoauth.vault.localhost' }, @{ Uri = 'https://mailoauth.vault.azure.net/secrets/x' }, @{ Uri = 'https://a.vault.azure.net' }, @{ Uri = 'not a uri' }
    ) {
        { New-MailOAuthApp -DisplayName 'Bad vault' -KeyVaultUri $Uri } | Should -Throw -ErrorId 'ParameterArgumentValidationError,MailOAuth.Commands.NewMailOAuthAppCommand'
        { Update-MailOAuthSecret -ClientId ([guid]::NewGuid()) -KeyVaultUri $Uri } | Should -Throw -ErrorId 'ParameterArgumentValidationError,MailOAuth.Commands.UpdateMailOAuthSecretCommand'
        { New-MailOAuthApp -DisplayName 'Bad name' -KeyVaultUri $vault -KeyVaultSecretName 'not_valid' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,MailOAuth.Commands.NewMailOAuthAppCommand'
        { New-MailOAuthApp -DisplayName 'No vault' -KeyVaultSecretName 'Name' } | Should -Throw -ErrorId 'KeyVaultParameterMissing,MailOAuth.Commands.NewMailOAuthAppCommand'
        Reset-MailOAuthSandbox -Sandbox $sandbox
        New-MailOAuthApp -DisplayName 'Other cloud' -KeyVaultUri 'https://contoso-ops.vault.azure.net' -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'KeyVaultUriInvalid,MailOAuth.Commands.NewMailOAuthAppCommand'
        $e[0].ErrorDetails.RecommendedAction | Should -Match 'vault\.localhost'
        Writes | Should -BeNullOrEmpty
    }

    It '-KeyVaultSecretName without -KeyVaultUri is the catalogue''s KeyVaultParameterMissing: terminating, InvalidArgument, its remediation, nothing written' -ForEach @(
        @{ Command = { New-MailOAuthApp -DisplayName 'No vault' -KeyVaultSecretName 'Name' -ErrorAction Stop }; Id = 'NewMailOAuthAppCommand' }
        @{ Command = { Update-MailOAuthSecret -ClientId $info.apps.consented.clientId -KeyVaultSecretName 'Name' -Confirm:$false -ErrorAction Stop }; Id = 'UpdateMailOAuthSecretCommand' }
    ) {
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $e = $null
        try { & $Command } catch { $e = $_ }

        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -Be "KeyVaultParameterMissing,MailOAuth.Commands.$Id"
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception | Should -BeOfType 'MailOAuth.Infrastructure.MailOAuthErrorException'
        $e.Exception.Code | Should -Be 'KeyVaultParameterMissing'
        $e.Exception.Message | Should -Match '-KeyVaultSecretName needs -KeyVaultUri'
        $e.ErrorDetails.RecommendedAction | Should -Match 'Give -KeyVaultUri'
        Writes | Should -BeNullOrEmpty
        VaultRequests | Should -BeNullOrEmpty
    }

    It 'an -AccessToken connection cannot write the vault: KeyVaultCredentialUnavailable, nothing sent to the vault, the value output' {
        $token = Get-SandboxAdminToken $sandbox
        Connect-MailOAuth -AccessToken (ConvertTo-TestSecret $token) -Environment Sandbox | Out-Null
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $app = New-MailOAuthApp -DisplayName (New-Name 'Token') -KeyVaultUri $vault -WarningVariable warnings 3>$null
        $app.KeyVaultStatus | Should -Be 'Failed'
        $app.KeyVaultError | Should -Be 'KeyVaultCredentialUnavailable'
        "$warnings" | Should -Match '-AccessToken'
        (Plain $app.ClientSecret).Length | Should -BeGreaterThan 15
        VaultRequests | Should -BeNullOrEmpty
    }

    It 'without -KeyVaultUri nothing is sent to a vault and the status says NotRequested' {
        $app = New-MailOAuthApp -DisplayName (New-Name 'No vault')
        $app.KeyVaultStatus | Should -Be 'NotRequested'
        VaultRequests | Should -BeNullOrEmpty
    }
}
