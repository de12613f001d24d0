# Test-MailOAuthConfiguration against the sandbox: each Fail and Warning from a seeded mistake, a correct
# setup all Pass, Skipped checks without what they need, nothing sent without -To; and the secret-policy
# pre-flight of New-MailOAuthApp.
Describe 'Test-MailOAuthConfiguration' -Tag 'Configuration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:platform = @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret $info.platform.apiToken) }
        $script:checkNames = 'Tenant', 'Credential', 'Permission', 'AppRegistration', 'Consent', 'Scope', 'SecretExpiry', 'SecretPolicy', 'Sender', 'Spf', 'Dkim', 'Dmarc', 'Send', 'Platform', 'PlatformTest'
        # The DNS checks ask the sandbox's DNS server, which serves contoso.com's correct records.
        $PSDefaultParameterValues['Test-MailOAuthConfiguration:DnsServer'] = $info.dns
        $script:adminToken = Get-MailOAuthSandboxToken -Sandbox $sandbox -ClientId $info.admin.clientId -ClientSecret $info.admin.clientSecret
        # The sandbox admin has no Policy.Read.All by default (the pre-flight's "no policy readable" path):
        # grant it here, as a tenant admin would, so SecretPolicy and the pre-flight can read the policies.
        $script:graphSp = (Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Path "servicePrincipals(appId='00000003-0000-0000-c000-000000000000')").id
        Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method POST -Path "servicePrincipals/$graphSp/appRoleAssignedTo" -Body @{
            principalId = $info.admin.servicePrincipalId; resourceId = $graphSp; appRoleId = '246dd0d5-5bd0-4def-940b-0421030a5b68'
        } | Out-Null

        function script:Settings([string] $App = 'consented', [string] $Sender, [string] $Secret, [string] $Tenant) {
            $a = $info.apps.$App
            @{
                TenantId      = $(if ($Tenant) { $Tenant } else { $info.tenantId })
                ClientId      = $a.clientId
                ClientSecret  = ConvertTo-TestSecret ($(if ($Secret) { $Secret } else { $a.clientSecret }))
                SenderAddress = $(if ($Sender) { $Sender } else { $info.mailboxes.licensed })
                Environment   = 'Sandbox'
            }
        }
        function script:Check($Results, [string] $Name) {
            $found = @($Results | Where-Object Check -EQ $Name)
            $found.Count | Should -Be 1 -Because "one $Name result"
            $found[0]
        }
        function script:Should-Check($Results, [string] $Name, [string] $Status, [string] $Code = '') {
            $r = Check $Results $Name
            $r.Status | Should -Be $Status -Because "$Name : $($r.Message)"
            $r.DiagnosisCode | Should -Be $Code -Because "$Name : $($r.Message)"
            $r
        }
        function script:TestConfig([hashtable] $S, [hashtable] $More = @{}, [string[]] $To, [switch] $Quiet) {
            $p = $S + $More
            if ($To) { $p.To = $To }
            if ($Quiet) { $p.Quiet = $true }
            Test-MailOAuthConfiguration @p
        }
        function script:SendMailRequests { @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.path -match 'sendMail$' }) }
        function script:New-Name { "Check $([guid]::NewGuid().ToString('N').Substring(0, 8))" }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach {
        Reset-MailOAuthSandbox -Sandbox $sandbox
        [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/reset-platform')
        [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/policies/secret-lifetime')
        Disconnect-MailOAuth
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
    }

    Context 'a correct setup' {
        It 'gives every check Pass, in order, bound from Set-ResellerSmtpSetting -PassThru; -Quiet gives $true' {
            $configured = New-MailOAuthApp -DisplayName (New-Name) -SenderAddress $info.mailboxes.licensed |
                Grant-MailSendConsent -PassThru | Set-ResellerSmtpSetting @platform -PassThru
            $results = @($configured | Test-MailOAuthConfiguration -To 'admin@contoso.com')
            $results | Should -BeOfType 'MailOAuth.Output.MailOAuthCheck'
            $results.Check | Should -Be $checkNames
            foreach ($r in $results) {
                if ($r.Check -eq 'Scope') {
                    # Tenant-wide Mail.Send works but lets the app send as any mailbox (ScopedConsent.Tests.ps1 covers the scoped setup).
                    $r.Status | Should -Be 'Warning' -Because "$($r.Check): $($r.Message)"
                    $r.DiagnosisCode | Should -Be 'MailSendTenantWide'
                    continue
                }
                $r.Status | Should -Be 'Pass' -Because "$($r.Check): $($r.Message) $($r.Evidence)"
                $r.DiagnosisCode | Should -BeNullOrEmpty
                $r.ClientId | Should -Be $configured.ClientId
                $r.TenantId | Should -Be $info.tenantId
                $r.SenderAddress | Should -Be $info.mailboxes.licensed
            }
            (Check $results 'Permission').Evidence | Should -Match 'Mail\.Send'
            (Check $results 'SecretExpiry').Evidence | Should -Match $configured.SecretKeyId
            $configured | Test-MailOAuthConfiguration -Quiet | Should -BeExactly $true
            # The checklist reads at 120 columns.
            $table = $results | Out-String -Width 120
            foreach ($name in $checkNames) { $table | Should -Match "(?m)^$name\s+$(if ($name -eq 'Scope') { 'Warning' } else { 'Pass' })\b" }
        }

        It 'binds New-MailOAuthApp output and Get-ResellerSmtpSetting output plus -ClientSecret' {
            $app = New-MailOAuthApp -DisplayName (New-Name) -SenderAddress $info.mailboxes.licensed
            $app | Grant-MailSendConsent | Out-Null
            $fromApp = @($app | Test-MailOAuthConfiguration)
            $fromApp.Check | Should -Be $checkNames
            (Check $fromApp 'Consent').Status | Should -Be 'Pass'
            $app | Set-ResellerSmtpSetting @platform | Out-Null
            $fromPlatform = @(Get-ResellerSmtpSetting @platform | Test-MailOAuthConfiguration -ClientSecret $app.ClientSecret -ApiToken $platform.ApiToken -Environment Sandbox)
            Should-Check $fromPlatform 'Platform' 'Pass' | Out-Null
            Should-Check $fromPlatform 'Credential' 'Pass' | Out-Null
        }
    }

    Context 'what is not given is Skipped, and nothing is sent without -To' {
        It 'without an admin connection the directory checks are Skipped and the rest run' {
            Disconnect-MailOAuth
            $results = @(TestConfig (Settings))
            $results.Check | Should -Be $checkNames
            foreach ($name in 'AppRegistration', 'Consent', 'Scope', 'SecretExpiry', 'SecretPolicy') {
                $r = Should-Check $results $name 'Skipped'
                $r.Message | Should -Match 'Connect-MailOAuth'
            }
            foreach ($name in 'Tenant', 'Credential', 'Permission', 'Sender') { Should-Check $results $name 'Pass' | Out-Null }
            (Should-Check $results 'Send' 'Skipped').Message | Should -Match '-To'
            (Should-Check $results 'Platform' 'Skipped').Message | Should -Match '-PlatformUri'
            (Should-Check $results 'PlatformTest' 'Skipped').Message | Should -Match '-PlatformUri'
            TestConfig (Settings) -Quiet | Should -BeExactly $true
        }

        It 'without -To makes no sendMail request and no platform test, even with the platform' {
            $s = Settings
            Set-ResellerSmtpSetting @platform -TenantId $s.TenantId -ClientId $s.ClientId -ClientSecret $s.ClientSecret -SenderAddress $s.SenderAddress | Out-Null
            Reset-MailOAuthSandbox -Sandbox $sandbox
            $results = @(Test-MailOAuthConfiguration @s @platform)
            Should-Check $results 'Platform' 'Pass' | Out-Null
            Should-Check $results 'PlatformTest' 'Skipped' | Out-Null
            Should-Check $results 'Send' 'Skipped' | Out-Null
            SendMailRequests | Should -BeNullOrEmpty
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.kind -eq 'platform' -and $_.method -ne 'GET' }) | Should -BeNullOrEmpty
            Get-MailOAuthSandboxOutbox -Sandbox $sandbox | Should -BeNullOrEmpty
        }

        It 'a connection to another tenant skips the directory checks and names it' {
            $results = @(TestConfig (Settings -Tenant ([guid]::NewGuid().ToString())))
            (Should-Check $results 'AppRegistration' 'Skipped').Message | Should -Match $info.tenantId
        }
    }

    Context 'Tenant and Credential' {
        It 'an unknown tenant is Tenant and Credential Fail TenantNotFound' {
            $results = @(TestConfig (Settings -Tenant 'nosuchtenant.example'))
            (Should-Check $results 'Tenant' 'Fail' 'TenantNotFound').Evidence | Should -Match 'AADSTS90002'
            Should-Check $results 'Credential' 'Fail' 'TenantNotFound' | Out-Null
            (Should-Check $results 'Permission' 'Skipped').Message | Should -Match 'Credential'
            TestConfig (Settings -Tenant 'nosuchtenant.example') -Quiet | Should -BeExactly $false
        }

        It 'a wrong secret is Credential Fail InvalidClientSecret with the AADSTS number; a GUID is called the secret ID' {
            $results = @(TestConfig (Settings -Secret 'Wrong8Q~NotTheSecretValue_1234567890abcdef'))
            (Should-Check $results 'Credential' 'Fail' 'InvalidClientSecret').Evidence | Should -Match 'AADSTS7000215'
            (Should-Check $results 'SecretExpiry' 'Fail' 'InvalidClientSecret').Message | Should -Match 'None of the client secrets'
            Should-Check $results 'Tenant' 'Pass' | Out-Null
            $byId = @(TestConfig (Settings -Secret $info.apps.consented.secretKeyId))
            (Should-Check $byId 'Credential' 'Fail' 'InvalidClientSecret').Message | Should -Match 'secret \*ID\*'
        }

        It '<App> is Credential Fail <Code>' -ForEach @(
            @{ App = 'expiredSecret'; Code = 'ClientSecretExpired'; Aadsts = 'AADSTS7000222' }
            @{ App = 'conditionalAccessBlocked'; Code = 'ConditionalAccessBlocked'; Aadsts = 'AADSTS53003' }
        ) {
            $results = @(TestConfig (Settings -App $App))
            (Should-Check $results 'Credential' 'Fail' $Code).Evidence | Should -Match $Aadsts
        }

        It 'an unknown client ID is Credential and AppRegistration Fail ApplicationNotFound' {
            $s = Settings; $s.ClientId = [guid]::NewGuid().ToString()
            $results = @(Test-MailOAuthConfiguration @s)
            (Should-Check $results 'Credential' 'Fail' 'ApplicationNotFound').Evidence | Should -Match 'AADSTS700016'
            Should-Check $results 'AppRegistration' 'Fail' 'ApplicationNotFound' | Out-Null
            (Should-Check $results 'Consent' 'Skipped').Message | Should -Match 'not found'
        }
    }

    Context 'Permission, AppRegistration, Consent' {
        It 'an app without consent is Permission and Consent Fail MailSendPermissionMissing, AppRegistration Warning' {
            $results = @(TestConfig (Settings -App unconsented))
            (Should-Check $results 'Permission' 'Fail' 'MailSendPermissionMissing').Evidence | Should -Match 'roles: none'
            (Should-Check $results 'Consent' 'Fail' 'MailSendPermissionMissing').Message | Should -Match 'no admin consent'
            # The seeded app declares no permissions at all.
            (Should-Check $results 'AppRegistration' 'Warning' 'MailSendPermissionMissing').Message | Should -Match 'does not declare'
        }

        It 'a delegated Mail.Send declared instead of the application one is AppRegistration Fail' {
            $results = @(TestConfig (Settings -App delegatedMailSend))
            $r = Should-Check $results 'AppRegistration' 'Fail' 'MailSendPermissionMissing'
            $r.Message | Should -Match '\*delegated\*'
            $r.Evidence | Should -Match 'Delegated only'
            Should-Check $results 'Permission' 'Fail' 'MailSendPermissionMissing' | Out-Null
        }

        It 'a multi-tenant app is AppRegistration Warning AppNotSingleTenant' {
            $app = New-MailOAuthApp -DisplayName (New-Name) -SenderAddress $info.mailboxes.licensed
            $app | Grant-MailSendConsent | Out-Null
            Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method PATCH -Path "applications/$($app.ObjectId)" -Body @{ signInAudience = 'AzureADMultipleOrgs' } | Out-Null
            $results = @($app | Test-MailOAuthConfiguration)
            (Should-Check $results 'AppRegistration' 'Warning' 'AppNotSingleTenant').Evidence | Should -Match 'AzureADMultipleOrgs'
            $app | Test-MailOAuthConfiguration -Quiet | Should -BeExactly $true -Because 'a Warning is not a failure'
        }
    }

    Context 'a mailbox-scoped app (Exchange RBAC for Applications)' {
        It 'read from Exchange: Permission, AppRegistration and Consent Pass, reading the service principals and grants once' {
            $spId = $info.apps.scoped.servicePrincipalId
            Reset-MailOAuthSandbox -Sandbox $sandbox
            $results = @(TestConfig (Settings -App scoped) -More @{ SkipDns = $true })
            Should-Check $results 'Permission' 'Pass' | Out-Null
            Should-Check $results 'AppRegistration' 'Pass' | Out-Null
            Should-Check $results 'Consent' 'Pass' | Out-Null
            Should-Check $results 'Scope' 'Pass' | Out-Null
            $gets = @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object method -EQ 'GET')
            @($gets | Where-Object { $_.path -match "servicePrincipals\(appId='$($info.apps.scoped.clientId)'\)" }).Count | Should -Be 1
            @($gets | Where-Object { $_.path -match "servicePrincipals\(appId='00000003-0000-0000-c000-000000000000'\)" }).Count | Should -Be 1
            @($gets | Where-Object { $_.path -match "servicePrincipals/$spId/appRoleAssignments" }).Count | Should -Be 1
        }

        It 'connected without RoleManagement.Read.*: MailOAuth''s tag alone passes nothing, the three checks are Skipped saying what is missing' {
            Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.adminNoExchangeRbac.clientId `
                -ClientSecret (ConvertTo-TestSecret $info.adminNoExchangeRbac.clientSecret) -Environment Sandbox | Out-Null
            $results = @(TestConfig (Settings -App scoped) -More @{ SkipDns = $true })
            foreach ($name in 'Permission', 'AppRegistration', 'Consent') {
                $r = Should-Check $results $name 'Skipped'
                $r.Message | Should -Match 'cannot verify without RoleManagement\.Read\.Exchange \(or RoleManagement\.Read\.All\)'
            }
            Should-Check $results 'Scope' 'Skipped' | Out-Null
            Should-Check $results 'Credential' 'Pass' | Out-Null
        }
    }

    Context 'SecretExpiry and SecretPolicy' {
        It 'an expired secret is SecretExpiry Fail ClientSecretExpired' {
            $results = @(TestConfig (Settings -App expiredSecret))
            (Should-Check $results 'SecretExpiry' 'Fail' 'ClientSecretExpired').Evidence | Should -Match 'expired'
        }

        It 'a secret with 10 days left is SecretExpiry Warning ClientSecretExpired, and the other secrets are listed' {
            $added = Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method POST -Path "applications/$($info.apps.consented.objectId)/addPassword" -Body @{
                passwordCredential = @{ displayName = 'soon'; endDateTime = [DateTimeOffset]::UtcNow.AddDays(10).ToString('o') }
            }
            try {
                $results = @(TestConfig (Settings -Secret $added.secretText))
                $r = Should-Check $results 'SecretExpiry' 'Warning' 'ClientSecretExpired'
                $r.Message | Should -Match '(9|10) days left'
                $r.Evidence | Should -Match $added.keyId
                $r.Evidence | Should -Match "other secrets: $($info.apps.consented.secretKeyId)"
            }
            finally {
                Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method POST -Path "applications/$($info.apps.consented.objectId)/removePassword" -Body @{ keyId = $added.keyId } | Out-Null
            }
        }

        It 'a tenant policy names the maximum lifetime (Pass); an app''s own policy replaces it' {
            [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/policies/secret-lifetime' -Body @{ maxDays = 180 })
            $results = @(TestConfig (Settings))
            $r = Should-Check $results 'SecretPolicy' 'Pass'
            $r.Message | Should -Match 'at most 180 days \(tenant default'
            $r.Evidence | Should -Match 'P180D'
            [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/policies/secret-lifetime' -Body @{ maxDays = 90; appId = $info.apps.consented.clientId })
            (Should-Check @(TestConfig (Settings)) 'SecretPolicy' 'Pass').Message | Should -Match 'at most 90 days \(app management policy .* assigned to the app\)'
        }

        It 'a policy that blocks new secrets is SecretPolicy Warning SecretLifetimeNotAllowed' {
            [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/policies/secret-lifetime' -Body @{ blockPasswordAddition = $true })
            $r = Should-Check @(TestConfig (Settings)) 'SecretPolicy' 'Warning' 'SecretLifetimeNotAllowed'
            $r.Message | Should -Match 'rotated'
        }

        It 'policies that cannot be read (403) make SecretPolicy Skipped, naming Policy.Read.All' {
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'defaultAppManagementPolicy$'; status = 403; count = 1
                body = '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}' } | Out-Null
            (Should-Check @(TestConfig (Settings)) 'SecretPolicy' 'Skipped').Message | Should -Match 'Policy\.Read\.All'
        }
    }

    Context 'Sender and Send' {
        It '<Case> is Sender <Status> <Code>' -ForEach @(
            @{ Case = 'a guest'; Sender = 'guest@contoso.com'; Status = 'Fail'; Code = 'SenderMailboxNotLicensed'; Text = 'guest' }
            @{ Case = 'a user without Exchange Online'; Sender = 'unlicensed@contoso.com'; Status = 'Warning'; Code = 'SenderMailboxNotLicensed'; Text = 'no Exchange Online plan' }
            @{ Case = 'no such user'; Sender = 'nobody@contoso.com'; Status = 'Fail'; Code = 'SenderMailboxNotFound'; Text = 'no user' }
            @{ Case = 'an e-mail address that is not the UPN'; Sender = 'jane.doe@contoso.com'; Status = 'Fail'; Code = 'SenderMailboxNotFound'; Text = 'jdoe@contoso\.com' }
            @{ Case = 'an unverified domain'; Sender = 'sender@fabrikam.example'; Status = 'Fail'; Code = 'SenderMailboxNotFound'; Text = 'not verified' }
        ) {
            $r = Should-Check @(TestConfig (Settings -Sender $Sender)) 'Sender' $Status $Code
            $r.Message | Should -Match $Text
            $r.Remediation | Should -Not -BeNullOrEmpty
        }

        It 'with -To, a mailbox outside the app''s scope is Send Fail MailboxAccessDenied' {
            $results = @(TestConfig (Settings -Sender $info.mailboxes.restricted) -To 'admin@contoso.com')
            (Should-Check $results 'Send' 'Fail' 'MailboxAccessDenied').Evidence | Should -Match 'ErrorAccessDenied'
            Should-Check $results 'Sender' 'Pass' | Out-Null
        }

        It 'with -To, <Case> is Send Fail <Code>' -ForEach @(
            @{ Case = '-From another mailbox'; Sender = ''; More = @{ From = 'other@contoso.com' }; Code = 'SendAsDenied'; Wire = 'ErrorSendAsDenied' }
            @{ Case = 'a sender without Exchange Online'; Sender = 'unlicensed@contoso.com'; More = @{}; Code = 'SenderMailboxNotLicensed'; Wire = 'MailboxNotEnabledForRESTAPI' }
        ) {
            $results = @(TestConfig (Settings -Sender $Sender) -More $More -To 'admin@contoso.com')
            $r = Should-Check $results 'Send' 'Fail' $Code
            $r.Evidence | Should -Match $Wire
            $r.Remediation | Should -Not -BeNullOrEmpty
            @(SendMailRequests).Count | Should -Be 1
        }

        It 'with -To, a good setup sends exactly one message (Send Pass)' {
            $results = @(TestConfig (Settings) -To 'admin@contoso.com')
            (Should-Check $results 'Send' 'Pass').Evidence | Should -Match 'request-id'
            @(SendMailRequests).Count | Should -Be 1
        }
    }

    Context 'Spf, Dkim and Dmarc (the sandbox''s DNS server, contoso.com''s records changed one at a time)' {
        BeforeEach {
            Reset-MailOAuthSandboxDns -Sandbox $sandbox
            [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/dns/service-records' -Body @{ spf = $null })
        }
        AfterAll {
            Reset-MailOAuthSandboxDns -Sandbox $sandbox
            [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/dns/service-records' -Body @{ spf = $null })
        }

        It 'with a connection, Spf holds the record to what Graph says Microsoft 365 expects for the domain' {
            $pass = Should-Check @(TestConfig (Settings)) 'Spf' 'Pass'
            $pass.Message | Should -Match 'as Microsoft 365 expects for this domain'
            $pass.Evidence | Should -Match 'Microsoft 365 expects: v=spf1 include:spf\.protection\.outlook\.com -all'
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object path -Match '/domains/contoso\.com/serviceConfigurationRecords$').Count | Should -Be 1

            # The tenant's Exchange Online is in another cloud (Graph names its include): contoso.com's record falls short.
            [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/dns/service-records' -Body @{ spf = 'v=spf1 include:spf.protection.office365.us -all' })
            $fail = Should-Check @(TestConfig (Settings)) 'Spf' 'Fail' 'DnsRecordProblem'
            $fail.Message | Should -Match 'does not include include:spf\.protection\.office365\.us \(which Microsoft 365 expects'
            $fail.Remediation | Should -Match 'contoso\.com\. 3600 IN TXT "v=spf1 include:spf\.protection\.office365\.us include:spf\.protection\.outlook\.com -all"'

            # Without a connection only the cloud's include is known: the same record passes, and Graph is not asked.
            Disconnect-MailOAuth
            Reset-MailOAuthSandbox -Sandbox $sandbox
            Should-Check @(TestConfig (Settings)) 'Spf' 'Pass' | Out-Null
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object path -Match 'serviceConfigurationRecords').Count | Should -Be 0
        }

        It '<Case> is <Check> <Status> DnsRecordProblem' -ForEach @(
            @{ Case = 'no SPF record'; Check = 'Spf'; Status = 'Fail'; Name = 'contoso.com'; Txt = @('MS=ms40391234') }
            @{ Case = 'two SPF records'; Check = 'Spf'; Status = 'Fail'; Name = 'contoso.com'; Txt = @('v=spf1 include:spf.protection.outlook.com -all', 'v=spf1 include:mailgun.org -all') }
            @{ Case = 'an SPF record ending in +all'; Check = 'Spf'; Status = 'Fail'; Name = 'contoso.com'; Txt = @('v=spf1 include:spf.protection.outlook.com +all') }
            @{ Case = 'an SPF record without Exchange Online'; Check = 'Spf'; Status = 'Fail'; Name = 'contoso.com'; Txt = @('v=spf1 include:mailgun.org -all') }
            @{ Case = 'an SPF record needing more than 10 lookups'; Check = 'Spf'; Status = 'Fail'; Name = 'contoso.com'; Txt = @('v=spf1 include:spf.protection.outlook.com include:chain1.toomanylookups.example -all') }
            @{ Case = 'a missing DKIM selector'; Check = 'Dkim'; Status = 'Warning'; Name = 'selector2._domainkey.contoso.com' }
            @{ Case = 'a DKIM CNAME pointing outside Microsoft'; Check = 'Dkim'; Status = 'Warning'; Name = 'selector1._domainkey.contoso.com'; Cname = 'selector1._domainkey.mailgun.org' }
            @{ Case = 'no DMARC record'; Check = 'Dmarc'; Status = 'Warning'; Name = '_dmarc.contoso.com' }
            @{ Case = 'DMARC p=none'; Check = 'Dmarc'; Status = 'Warning'; Name = '_dmarc.contoso.com'; Txt = @('v=DMARC1; p=none; rua=mailto:dmarc@contoso.com') }
        ) {
            if ($Txt -or $Cname) { Set-MailOAuthSandboxDnsRecord -Sandbox $sandbox -Name $Name -Txt $Txt -Cname $Cname | Out-Null }
            else { Remove-MailOAuthSandboxDnsRecord -Sandbox $sandbox -Name $Name }
            $results = @(TestConfig (Settings))
            $r = Should-Check $results $Check $Status 'DnsRecordProblem'
            $r.Remediation | Should -Not -BeNullOrEmpty
            $r.Evidence | Should -Not -BeNullOrEmpty
            # Only the broken record's check is off; the other two still pass.
            foreach ($other in @('Spf', 'Dkim', 'Dmarc') | Where-Object { $_ -ne $Check }) { Should-Check $results $other 'Pass' | Out-Null }
        }

        It 'a DNS server that does not answer makes the three DNS checks Skipped within the time budget, the rest still run' {
            Set-MailOAuthSandboxDnsAnswering -Sandbox $sandbox -Answering $false
            try {
                $sw = [Diagnostics.Stopwatch]::StartNew()
                $results = @(TestConfig (Settings))
                $sw.Stop()
            }
            finally { Set-MailOAuthSandboxDnsAnswering -Sandbox $sandbox -Answering $true }
            foreach ($name in 'Spf', 'Dkim', 'Dmarc') {
                $r = Should-Check $results $name 'Skipped'
                $r.Message | Should -Match 'answer|did not finish'
            }
            Should-Check $results 'Credential' 'Pass' | Out-Null
            # A bound, not a speed test: the DNS check gives up after its 20 s budget at the latest.
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 60
        }
    }

    Context 'Platform and PlatformTest' {
        It 'a platform holding another app is Platform Fail PlatformSettingsMismatch, and its test fails' {
            $other = Settings -App unconsented
            Set-ResellerSmtpSetting @platform -TenantId $other.TenantId -ClientId $other.ClientId -ClientSecret $other.ClientSecret -SenderAddress $other.SenderAddress | Out-Null
            $results = @(TestConfig (Settings) $platform -To 'admin@contoso.com')
            (Should-Check $results 'Platform' 'Fail' 'PlatformSettingsMismatch').Message | Should -Match 'another app'
            Should-Check $results 'PlatformTest' 'Fail' 'MailSendPermissionMissing' | Out-Null
            Should-Check $results 'Send' 'Pass' | Out-Null
        }

        It 'a platform without settings is Platform Fail PlatformSettingsMismatch' {
            (Should-Check @(TestConfig (Settings) $platform) 'Platform' 'Fail' 'PlatformSettingsMismatch').Message | Should -Match 'no SMTP settings'
        }

        It 'a platform holding a removed secret of the app is Platform Fail PlatformSettingsMismatch' {
            $added = Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method POST -Path "applications/$($info.apps.consented.objectId)/addPassword" -Body @{ passwordCredential = @{ displayName = 'old' } }
            $s = Settings
            Set-ResellerSmtpSetting @platform -TenantId $s.TenantId -ClientId $s.ClientId -ClientSecret (ConvertTo-TestSecret $added.secretText) -SenderAddress $s.SenderAddress | Out-Null
            Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method POST -Path "applications/$($info.apps.consented.objectId)/removePassword" -Body @{ keyId = $added.keyId } | Out-Null
            (Should-Check @(Test-MailOAuthConfiguration @s @platform) 'Platform' 'Fail' 'PlatformSettingsMismatch').Message | Should -Match 'removed'
        }

        It 'a platform holding an expired secret is Platform Fail PlatformSettingsMismatch' {
            $s = Settings -App expiredSecret
            Set-ResellerSmtpSetting @platform -TenantId $s.TenantId -ClientId $s.ClientId -ClientSecret $s.ClientSecret -SenderAddress $s.SenderAddress | Out-Null
            (Should-Check @(Test-MailOAuthConfiguration @s @platform) 'Platform' 'Fail' 'PlatformSettingsMismatch').Message | Should -Match 'expired'
        }

        It 'a wrong API token is Platform Fail PlatformAuthenticationFailed' {
            $results = @(TestConfig (Settings) @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret 'rsp_WrongToken_1234567890') } -To 'admin@contoso.com')
            Should-Check $results 'Platform' 'Fail' 'PlatformAuthenticationFailed' | Out-Null
            Should-Check $results 'PlatformTest' 'Fail' 'PlatformAuthenticationFailed' | Out-Null
        }
    }
}

Describe 'New-MailOAuthApp secret-policy pre-flight' -Tag 'Configuration' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $token = Get-MailOAuthSandboxToken -Sandbox $sandbox -ClientId $info.admin.clientId -ClientSecret $info.admin.clientSecret
        $graphSp = (Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $token -Path "servicePrincipals(appId='00000003-0000-0000-c000-000000000000')").id
        Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $token -Method POST -Path "servicePrincipals/$graphSp/appRoleAssignedTo" -Body @{
            principalId = $info.admin.servicePrincipalId; resourceId = $graphSp; appRoleId = '246dd0d5-5bd0-4def-940b-0421030a5b68'
        } | Out-Null
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        function script:Writes { @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.kind -eq 'directory' -and $_.method -ne 'GET' }) }
        function script:AppsNamed([string] $Name) { @((Get-MailOAuthSandboxDirectory -Sandbox $sandbox).applications | Where-Object displayName -EQ $Name) }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach { Reset-MailOAuthSandbox -Sandbox $sandbox }
    AfterEach { [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/policies/secret-lifetime') }

    It 'under a 180-day policy, -SecretLifetimeMonths 12 creates nothing and names the maximum' {
        [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/policies/secret-lifetime' -Body @{ maxDays = 180 })
        $name = "Preflight $([guid]::NewGuid().ToString('N').Substring(0, 6))"
        New-MailOAuthApp -DisplayName $name -SecretLifetimeMonths 12 -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'SecretLifetimeNotAllowed,MailOAuth.Commands.NewMailOAuthAppCommand'
        $e[0].Exception.Message | Should -Match 'at most 180 days'
        $e[0].Exception.Message | Should -Match 'Nothing was created'
        $e[0].ErrorDetails.RecommendedAction | Should -Match '-SecretLifetimeMonths 5'
        Writes | Should -BeNullOrEmpty
        AppsNamed $name | Should -BeNullOrEmpty
        # Within the maximum it goes through.
        (New-MailOAuthApp -DisplayName $name -SecretLifetimeMonths 5).ClientSecret | Should -Not -BeNullOrEmpty
    }

    It 'Update-MailOAuthSecret is pre-flighted the same way: over the maximum, no secret is added and nothing removed' {
        $name = "Preflight $([guid]::NewGuid().ToString('N').Substring(0, 6))"
        $app = New-MailOAuthApp -DisplayName $name -SecretLifetimeMonths 12
        [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/policies/secret-lifetime' -Body @{ maxDays = 90 })
        [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/requests')
        Update-MailOAuthSecret -ClientId $app.ClientId -SecretLifetimeMonths 12 -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'SecretLifetimeNotAllowed,MailOAuth.Commands.UpdateMailOAuthSecretCommand'
        $e[0].Exception.Message | Should -Match 'at most 90 days'
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.path -match 'addPassword$|removePassword$' }) | Should -BeNullOrEmpty
        @((AppsNamed $name)[0].passwordCredentials).Count | Should -Be 1
    }

    It 'a policy that blocks new secrets fails the same way before the app is created' {
        [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/policies/secret-lifetime' -Body @{ blockPasswordAddition = $true })
        $name = "Preflight $([guid]::NewGuid().ToString('N').Substring(0, 6))"
        New-MailOAuthApp -DisplayName $name -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'SecretLifetimeNotAllowed,MailOAuth.Commands.NewMailOAuthAppCommand'
        $e[0].Exception.Message | Should -Match 'passwordAddition'
        Writes | Should -BeNullOrEmpty
    }

    It 'no readable policy (403) is a Verbose line and the old behaviour' {
        Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'defaultAppManagementPolicy$'; status = 403; count = 1
            body = '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}' } | Out-Null
        $verbose = New-MailOAuthApp -DisplayName "Preflight $([guid]::NewGuid().ToString('N').Substring(0, 6))" -Verbose 4>&1
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'Could not read the tenant''s app management policies.*Policy\.Read\.All'
        @($verbose | Where-Object { $_ -is [MailOAuth.Output.MailOAuthApp] }).Count | Should -Be 1
    }
}
