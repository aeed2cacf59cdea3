# Staging (seed "Environment Parity"): P1v3, one instance, GP D2ds_v5, Redis like Premium P1,
# private endpoints only, no slot, no autoscale, full monitoring.
environment_name = "staging"
environment      = "staging"
location         = "westeurope"

app_service_sku       = "P1v3"
worker_service_sku    = "P1v3"
app_instance_count    = 1
worker_instance_count = 1

deployment_slot_enabled = false
autoscale_enabled       = false
custom_domain           = ""

postgres_sku                          = "GP_Standard_D2ds_v5"
postgres_high_availability_enabled    = false
postgres_geo_redundant_backup_enabled = false

redis_sku                       = "Balanced_B5"
redis_high_availability_enabled = true

public_network_access_enabled     = false
storage_shared_key_access_enabled = false
storage_replication_type          = "ZRS"
storage_quota_gb                  = 200

alerts_enabled               = true
monthly_budget_amount        = 1200
llm_daily_cost_threshold_usd = 25

# No pipeline identity: CD releases to production's `staging` slot, not to this environment, so
# an identity here would hold roles no job uses (test/delivery/identity-model.test.ts).

# --- network and runners (issue 20) ---
# Migration runners inside the VNet (runners.tf). Fill in the two tenant-specific ids before the
# first apply (infrastructure/README.md "First deployment"); plan refuses to run without them.
github_runners_enabled             = true
github_business_id                 = ""
devops_pool_enabled                = true
devops_organization_url            = "https://dev.azure.com/azimuth"
devops_infrastructure_principal_id = ""

# Azure OpenAI models (openai.tf: chosen from Microsoft's retirement table, read 2026-12-08).
openai_chat_model       = { name = "gpt-5.5", version = "2026-04-24", sku = "GlobalStandard" }
openai_chat_mini_model  = { name = "gpt-5.4-mini", version = "2026-03-17", sku = "GlobalStandard" }
openai_transcribe_model = { name = "gpt-4o-mini-transcribe", version = "2025-12-15", sku = "GlobalStandard" }
