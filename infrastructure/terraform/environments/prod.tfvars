# Production (seed "Environment Parity"): P2v3 with autoscale 2-6, GP D4ds_v5 zone-redundant
# with geo-redundant backups, Redis like Premium P1, private endpoints only, the `staging`
# slot, custom domain, full monitoring and alerts.
environment_name = "prod"
environment      = "prod"
location         = "westeurope"

app_service_sku       = "P2v3"
worker_service_sku    = "P1v3"
app_instance_count    = 2
worker_instance_count = 1

deployment_slot_enabled = true
autoscale_enabled       = true
autoscale_min_instances = 2
autoscale_max_instances = 6
custom_domain           = "api.azimuth.example.com"

postgres_sku                          = "GP_Standard_D4ds_v5"
postgres_high_availability_enabled    = true
postgres_geo_redundant_backup_enabled = true

redis_sku                       = "Balanced_B5"
redis_high_availability_enabled = true

public_network_access_enabled     = false
storage_shared_key_access_enabled = false
storage_replication_type          = "GZRS"
storage_quota_gb                  = 1000

alerts_enabled               = true
alert_email_addresses        = ["oncall@azimuth.example.com"]
monthly_budget_amount        = 2200
llm_daily_cost_threshold_usd = 60

api_cors_origins = ["https://console.azimuth.example.com"]

# The console on Static Web Apps Standard (seed 004 "Frontend"); its origin joins API_CORS_ORIGINS.
console_sku = "Standard"

# CD's two stages, each its own identity (identity.tf): `slot` migrates and deploys to the staging
# slot, `production` swaps, deploys the worker and the console. GitHub environments and Azure
# DevOps service connections of these names must exist (infrastructure/README.md).
ci_oidc_subjects = {
  slot = {
    github       = "repo:azimuth/azimuth:environment:production-slot"
    azure_devops = "sc://azimuth/azimuth/azimuth-prod-slot"
  }
  production = {
    github       = "repo:azimuth/azimuth:environment:production"
    azure_devops = "sc://azimuth/azimuth/azimuth-prod-production"
  }
}
# Set to the organisation's issuer (https://vstoken.dev.azure.com/<organization id>) to create
# the Azure DevOps credentials.
ci_azure_devops_oidc_issuer = ""

# --- network and runners (issue 20) ---
# Migration runners inside the VNet (runners.tf). Fill in the two tenant-specific ids before the
# first apply (infrastructure/README.md "First deployment"); plan refuses to run without them.
github_runners_enabled             = true
github_business_id                 = ""
devops_pool_enabled                = true
devops_organization_url            = "https://dev.azure.com/azimuth"
devops_infrastructure_principal_id = ""
# Two-phase custom domain (dns.tf): set true once CUSTOM_DOMAIN_DNS_RECORDS exist at the DNS
# provider, or set custom_domain_dns_zone_id when the zone is in Azure DNS.
custom_domain_dns_ready = false

# Azure OpenAI models (openai.tf: chosen from Microsoft's retirement table, read 2026-12-08).
openai_chat_model       = { name = "gpt-5.5", version = "2026-04-24", sku = "GlobalStandard" }
openai_chat_mini_model  = { name = "gpt-5.4-mini", version = "2026-03-17", sku = "GlobalStandard" }
openai_transcribe_model = { name = "gpt-4o-mini-transcribe", version = "2025-12-15", sku = "GlobalStandard" }
