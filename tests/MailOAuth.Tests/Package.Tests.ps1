#requires -Version 7.4
<#
    The packages build/New-ModulePackage.ps1 makes (what `build.ps1 -Task Package` writes to out/),
    installed the way admins install modules: PSResourceGet from a folder repository into a module
    path, then `Import-Module MailOAuth` by name in a fresh pwsh; and the Azure Automation zip's layout.
    PSResourceGet keeps repository registrations in a per-user file (LocalApplicationData/PSResourceGet);
    the install runs in a child pwsh whose HOME and XDG folders are temporary, so the user's own
    registrations and modules are never touched (on Windows, where that folder cannot be redirected,
    a uniquely named registration is made and removed).
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.FileSystem
    $script:moduleFolder = Split-Path -Parent (Resolve-Path $env:MAILOAUTH_MODULE_PATH).ProviderPath
    $script:manifest = Import-PowerShellDataFile (Join-Path $moduleFolder 'MailOAuth.psd1')
    $script:temp = Join-Path ([IO.Path]::GetTempPath()) "mailoauth-package-$([guid]::NewGuid().ToString('n'))"
    $script:feed = Join-Path $temp 'feed'
    $script:package = & (Join-Path $PSScriptRoot '../../build/New-ModulePackage.ps1') -ModuleFolder $moduleFolder -DestinationPath $feed

    # A throw-away user profile for the child: PSResourceGet's repository file and the CurrentUser
    # module path both live under it (XDG_DATA_HOME on Linux and macOS).
    $script:userHome = Join-Path $temp 'home'
    $script:isolated = @{
        HOME            = $userHome
        XDG_DATA_HOME   = Join-Path $userHome '.local/share'
        XDG_CONFIG_HOME = Join-Path $userHome '.config'
        XDG_CACHE_HOME  = Join-Path $userHome '.cache'
    }
    # The user's real PSResourceGet repository file, as it was before (absent is a state too).
    $script:userRepositoryFile = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'PSResourceGet/PSResourceRepository.xml'
    $script:userRepositoriesBefore = if (Test-Path $userRepositoryFile) { (Get-FileHash $userRepositoryFile).Hash } else { 'absent' }
    $script:modulesDir = if ($IsWindows) { Join-Path $temp 'modules' } else { Join-Path $isolated.XDG_DATA_HOME 'powershell/Modules' }
}

AfterAll {
    Remove-Item -Recurse -Force -LiteralPath $temp -ErrorAction Ignore
}

Describe 'Package' -Tag 'Package' {
    Context 'the nupkg (MailOAuth.version.nupkg)' {
        BeforeAll {
            $archive = [IO.Compression.ZipFile]::OpenRead($package.NupkgPath)
            try {
                $script:entries = @($archive.Entries | ForEach-Object FullName)
                $reader = [IO.StreamReader]::new($archive.GetEntry('MailOAuth.nuspec').Open())
                try { $script:nuspec = ([xml]$reader.ReadToEnd()).package.metadata } finally { $reader.Dispose() }
            }
            finally { $archive.Dispose() }
            $script:tags = @("$($nuspec.tags)" -split '\s+')
        }

        It 'is named MailOAuth.{version}.nupkg after the manifest''s version' {
            Split-Path -Leaf $package.NupkgPath | Should -Be "MailOAuth.$($manifest.ModuleVersion).nupkg"
        }

        It 'has the id, version, authors, description, licence and project URL of the manifest' {
            $nuspec.id | Should -Be 'MailOAuth'
            $nuspec.version | Should -Be $manifest.ModuleVersion
            $nuspec.authors | Should -Be $manifest.Author
            $nuspec.description | Should -Be $manifest.Description
            $nuspec.licenseUrl | Should -Be $manifest.PrivateData.PSData.LicenseUri
            $nuspec.projectUrl | Should -Be $manifest.PrivateData.PSData.ProjectUri
            $nuspec.projectUrl | Should -Match '^https://'
        }

        It 'carries the tags PowerShell galleries search on, with a PSCmdlet_ tag for every exported cmdlet' {
            foreach ($tag in 'PSModule', 'PSEdition_Desktop', 'PSEdition_Core', 'PSIncludes_Cmdlet') { $tags | Should -Contain $tag }
            $exported = @(Get-Command -Module MailOAuth -CommandType Cmdlet | ForEach-Object Name)
            $exported.Count | Should -BeGreaterThan 0
            foreach ($name in $exported) { $tags | Should -Contain "PSCmdlet_$name" }
            @($tags -like 'PSCmdlet_*').Count | Should -Be $exported.Count
        }

        It 'holds the module files at the package root, as Install-PSResource expects' {
            foreach ($file in 'MailOAuth.psd1', 'MailOAuth.dll', 'MailOAuth.Format.ps1xml', 'LICENSE', 'en-US/MailOAuth.dll-Help.xml', 'en-US/about_MailOAuth.help.txt') {
                $entries | Should -Contain $file
            }
            @($entries -like 'dependencies/*.dll').Count | Should -BeGreaterThan 0
        }
    }

    It 'installs with Install-PSResource from a folder repository, and Import-Module MailOAuth by name runs a cmdlet in a fresh pwsh' {
        $q = { param([string] $s) "'" + ($s -replace "'", "''") + "'" }
        $repoName = "MailOAuthTest$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $install = if ($IsWindows) { "Save-PSResource -Name MailOAuth -Repository $repoName -Path $(& $q $modulesDir) -TrustRepository" }
        else { "Install-PSResource -Name MailOAuth -Repository $repoName -Scope CurrentUser -TrustRepository" }
        $installed = Invoke-FreshPwsh -Environment $isolated -Script @"
`$ErrorActionPreference = 'Stop'
`$null = New-Item -ItemType Directory -Force -Path $(& $q $modulesDir)
Register-PSResourceRepository -Name $repoName -Uri $(& $q $feed) -Trusted
try {
    $install
    Get-InstalledPSResource -Name MailOAuth -Path $(& $q $modulesDir) | ForEach-Object { "installed:`$(`$_.Name):`$(`$_.Version)" }
}
finally { Unregister-PSResourceRepository -Name $repoName }
"@
        $installed.ExitCode | Should -Be 0 -Because $installed.Error
        $installed.Output | Should -Match "installed:MailOAuth:$([regex]::Escape($manifest.ModuleVersion))"
        Test-Path (Join-Path $modulesDir "MailOAuth/$($manifest.ModuleVersion)/MailOAuth.psd1") | Should -BeTrue

        $environment = $isolated.Clone()
        if ($IsWindows) { $environment.PSModulePath = $modulesDir }
        $used = Invoke-FreshPwsh -Environment $environment -Script @'
$ErrorActionPreference = 'Stop'
Import-Module MailOAuth
"base:$((Get-Module MailOAuth).ModuleBase)"
Get-MailOAuthEnvironment | ForEach-Object { "environment:$($_.Name)" }
if (Get-Help about_MailOAuth | Select-String -SimpleMatch 'THE PROCEDURE') { 'about:found' }
'@
        $used.ExitCode | Should -Be 0 -Because $used.Error
        $used.Output | Should -Match "base:$([regex]::Escape((Join-Path $modulesDir 'MailOAuth')))"
        $used.Output | Should -Match 'environment:Global'
        $used.Output | Should -Match 'environment:USGov'
        $used.Output | Should -Match 'about:found'
    }

    It 'leaves the repositories PSResourceGet has registered for this user as they were' {
        # The install above ran with a temporary profile (or, on Windows, removed its registration).
        $after = if (Test-Path $userRepositoryFile) { (Get-FileHash $userRepositoryFile).Hash } else { 'absent' }
        if (-not $IsWindows) { $after | Should -Be $userRepositoriesBefore }
        if (Test-Path $userRepositoryFile) { Get-Content -Raw $userRepositoryFile | Should -Not -Match ([regex]::Escape($feed)) }
        Test-Path (Join-Path $isolated.XDG_DATA_HOME 'PSResourceGet/PSResourceRepository.xml') | Should -Be (-not $IsWindows) -Because 'the registration went to the temporary profile'
    }

    It 'makes MailOAuth.zip for Azure Automation: the MailOAuth folder at its root, the manifest inside' {
        Split-Path -Leaf $package.ZipPath | Should -Be 'MailOAuth.zip'
        $archive = [IO.Compression.ZipFile]::OpenRead($package.ZipPath)
        try { $names = @($archive.Entries | ForEach-Object FullName) } finally { $archive.Dispose() }
        $names | Should -Contain 'MailOAuth/MailOAuth.psd1'
        $names | Should -Contain 'MailOAuth/MailOAuth.dll'
        @($names | Where-Object { $_ -notlike 'MailOAuth/*' }).Count | Should -Be 0 -Because 'Azure Automation takes the folder at the root as the module'
        @($names -match '\\').Count | Should -Be 0 -Because 'entries use / separators'
        # The zip's manifest is the built one, so the imported module's version is the package's.
        $extract = Join-Path $temp 'zip'
        [IO.Compression.ZipFile]::ExtractToDirectory($package.ZipPath, $extract)
        (Import-PowerShellDataFile (Join-Path $extract 'MailOAuth/MailOAuth.psd1')).ModuleVersion | Should -Be $manifest.ModuleVersion
    }
}
