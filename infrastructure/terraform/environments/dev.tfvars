# Development (seed "Environment Parity"): B1, one instance, Burstable B2ms, Redis like Basic C1,
# no slot, no autoscale, basic monitoring. Same architecture as production; public endpoints
# stay reachable so developers can work against it.
environment_name = "dev"
environment      = "dev"
location         = "westeurope"

app_service_sku       = "B1"
worker_service_sku    = "B1"
app_instance_count    = 1
worker_instance_count = 1

deployment_slot_enabled = false
autoscale_enabled       = false
custom_domain           = ""

postgres_sku                          = "B_Standard_B2ms"
postgres_high_availability_enabled    = false
postgres_geo_redundant_backup_enabled = false

redis_sku                       = "Balanced_B1"
redis_high_availability_enabled = false

public_network_access_enabled     = true
storage_shared_key_access_enabled = true
storage_replication_type          = "LRS"
storage_quota_gb                  = 50

alerts_enabled               = false
monthly_budget_amount        = 300
llm_daily_cost_threshold_usd = 10

# --- network and runners (issue 20) ---
# dev migrates from the worker at start-up (no pipeline step), so no runner joins its VNet.
github_runners_enabled = false
devops_pool_enabled    = false

# Azure OpenAI models (openai.tf: chosen from Microsoft's retirement table, read 2026-12-08).
openai_chat_model       = { name = "gpt-5.5", version = "2026-04-24", sku = "GlobalStandard" }
openai_chat_mini_model  = { name = "gpt-5.4-mini", version = "2026-03-17", sku = "GlobalStandard" }
openai_transcribe_model = { name = "gpt-4o-mini-transcribe", version = "2025-12-15", sku = "GlobalStandard" }
