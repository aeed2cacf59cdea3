# Input variables. Defaults describe the development environment, so `azd up` with only
# main.tfvars.json works; environments/{dev,staging,prod}.tfvars set the seed's parity table.

# --- Identity of the deployment -------------------------------------------------------------

variable "environment_name" {
  description = "Name of this deployment (azd's AZURE_ENV_NAME); used in every resource name."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.environment_name))
    error_message = "environment_name: 2-21 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "environment" {
  description = "Tier of the seed's Environment Parity table: dev, staging or prod."
  type        = string
  default     = "dev"
  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "location" {
  description = "Azure region of every resource (azd's AZURE_LOCATION)."
  type        = string
}

variable "principal_id" {
  description = "Object id of the person running azd (AZURE_PRINCIPAL_ID); read access to secrets outside prod only."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

# --- App Service ----------------------------------------------------------------------------

variable "app_service_sku" {
  description = "SKU of the API's plan (seed: B1 dev, P1v3 staging, P2v3 prod)."
  type        = string
  default     = "B1"
}

variable "worker_service_sku" {
  description = "SKU of the worker's plan (seed cost table: P1v3 in production)."
  type        = string
  default     = "B1"
}

variable "app_instance_count" {
  description = "Instances of the API plan when autoscale is off (seed: 1 dev, 1 staging, 2 prod)."
  type        = number
  default     = 1
}

variable "worker_instance_count" {
  description = "Instances of the worker plan; at least one (recurring jobs run once across instances)."
  type        = number
  default     = 1
  validation {
    condition     = var.worker_instance_count >= 1
    error_message = "The worker needs at least one instance."
  }
}

variable "node_version" {
  description = "App Service Node.js runtime stack (Node 22 LTS, no containers)."
  type        = string
  default     = "22-lts"
}

variable "deployment_slot_enabled" {
  description = "Create the `staging` deployment slot on the API (seed: production only)."
  type        = bool
  default     = false
}

variable "custom_domain" {
  description = "Custom hostname of the API (e.g. api.example.com); empty: none."
  type        = string
  default     = ""
}

variable "shutdown_timeout_ms" {
  description = "SHUTDOWN_TIMEOUT_MS: longest drain on SIGTERM; must stay below the container stop limit."
  type        = number
  default     = 45000
}

variable "container_stop_time_limit_seconds" {
  description = "WEBSITES_CONTAINER_STOP_TIME_LIMIT: App Service's wait after SIGTERM (default 5 s, max 120 s)."
  type        = number
  default     = 60
  validation {
    condition     = var.container_stop_time_limit_seconds > 5 && var.container_stop_time_limit_seconds <= 120
    error_message = "container_stop_time_limit_seconds must be above the 5 s default and at most 120."
  }
}

variable "api_cors_origins" {
  description = "Origins of the console allowed by the API and by Blob Storage CORS."
  type        = list(string)
  default     = []
}

variable "auth_jwks_url" {
  description = "AUTH_JWKS_URL for RS256 bearer tokens (Entra ID); empty: HS256 secret from Key Vault."
  type        = string
  default     = ""
}

variable "auth_jwt_issuer" {
  description = "AUTH_JWT_ISSUER."
  type        = string
  default     = ""
}

variable "auth_jwt_audience" {
  description = "AUTH_JWT_AUDIENCE."
  type        = string
  default     = ""
}

variable "console_entra_client_id" {
  description = "Client id of the console's Entra ID app registration (SPA); empty: the console shows no sign-in."
  type        = string
  default     = ""
}

variable "console_entra_api_scope" {
  description = "The API scope the console asks for, e.g. api://{API client id}/access_as_user."
  type        = string
  default     = ""
}

# --- Autoscale ------------------------------------------------------------------------------

variable "autoscale_enabled" {
  description = "Autoscale the API plan (seed: production only)."
  type        = bool
  default     = false
}

variable "autoscale_min_instances" {
  description = "Fewest API instances under autoscale (seed: 2)."
  type        = number
  default     = 2
}

variable "autoscale_max_instances" {
  description = "Most API instances under autoscale (seed: 6, the cost ceiling)."
  type        = number
  default     = 6
}

# --- PostgreSQL -----------------------------------------------------------------------------

variable "postgres_sku" {
  description = "Flexible Server SKU (seed: B2ms dev, GP D2ds_v5 staging, GP D4ds_v5 prod)."
  type        = string
  default     = "B_Standard_B2ms"
}

variable "postgres_storage_mb" {
  description = "Storage of the server (seed: 128 GB, auto-grow on)."
  type        = number
  default     = 131072
}

variable "postgres_high_availability_enabled" {
  description = "Zone-redundant HA (seed: production only)."
  type        = bool
  default     = false
}

variable "postgres_geo_redundant_backup_enabled" {
  description = "Geo-redundant backups (seed: production only)."
  type        = bool
  default     = false
}

variable "postgres_backup_retention_days" {
  description = "Backup retention (seed: 35 days)."
  type        = number
  default     = 35
}

variable "database_password_version" {
  description = "Bump to rotate the database password (write-only: never stored in state); the server and every database secret get the new one together (keyvault.tf)."
  type        = number
  default     = 1
}

# --- Redis ----------------------------------------------------------------------------------

variable "redis_sku" {
  description = "Azure Managed Redis SKU (seed Basic C1 -> Balanced_B1, Premium P1 -> Balanced_B5)."
  type        = string
  default     = "Balanced_B1"
}

variable "redis_high_availability_enabled" {
  description = "Replicated Managed Redis (seed Premium tiers); off for the Basic-equivalent dev cache."
  type        = bool
  default     = false
}

# --- Storage --------------------------------------------------------------------------------

variable "storage_replication_type" {
  description = "Replication of the storage account."
  type        = string
  default     = "LRS"
}

variable "storage_shared_key_access_enabled" {
  description = "Allow shared-key (account key) access; off in production (managed identity only)."
  type        = bool
  default     = true
}

variable "storage_quota_gb" {
  description = "Budgeted blob capacity; the capacity alert fires at 80 % of it (seed 001)."
  type        = number
  default     = 100
}

variable "recordings_cool_after_days" {
  description = "Recordings move to the cool tier after this many days (seed 002 tiered storage)."
  type        = number
  default     = 30
}

variable "recordings_retention_days" {
  description = "Recordings are deleted after this many days (RECORDINGS_RETENTION_DAYS and lifecycle rule)."
  type        = number
  default     = 90
  validation {
    condition     = var.recordings_retention_days > var.recordings_cool_after_days
    error_message = "recordings_retention_days must be longer than recordings_cool_after_days."
  }
}

# --- Network and access ---------------------------------------------------------------------

variable "public_network_access_enabled" {
  description = "Public endpoints of Key Vault, Storage, OpenAI and Redis; false in staging and production."
  type        = bool
  default     = true
}

variable "vnet_address_space" {
  description = "Address space of the VNet (seed: 10.0.0.0/16)."
  type        = string
  default     = "10.0.0.0/16"
}

# --- Azure OpenAI ---------------------------------------------------------------------------

variable "openai_chat_capacity" {
  description = "Chat deployment capacity, in thousands of tokens per minute (seed: gpt-4o 120K)."
  type        = number
  default     = 120
}

variable "openai_chat_mini_capacity" {
  description = "Small chat deployment capacity, in thousands of tokens per minute (seed: gpt-4o-mini 200K)."
  type        = number
  default     = 200
}

variable "openai_transcribe_capacity" {
  description = "Transcription deployment capacity, in thousands of tokens per minute (audio is billed as tokens)."
  type        = number
  default     = 50
}

# --- Monitoring, alerts, cost ---------------------------------------------------------------

variable "log_retention_days" {
  description = "Log Analytics and Application Insights retention (seed: 90 days)."
  type        = number
  default     = 90
}

variable "alerts_enabled" {
  description = "Metric and log alerts (seed: production 'Full + Alerts'; on in staging too)."
  type        = bool
  default     = false
}

variable "alert_email_addresses" {
  description = "Who the action group e-mails."
  type        = list(string)
  default     = []
}

variable "llm_daily_cost_threshold_usd" {
  description = "LLM spend per day that raises the LLM budget alert."
  type        = number
  default     = 25
}

variable "monthly_budget_amount" {
  description = "Monthly budget of the resource group, in the billing currency."
  type        = number
  default     = 300
}

variable "budget_start_date" {
  description = "First day of the budget (RFC 3339, first of a month); empty: the first of the month of the creating plan (budget.tf)."
  type        = string
  default     = ""
  validation {
    condition     = var.budget_start_date == "" || can(regex("^[0-9]{4}-[0-9]{2}-01T00:00:00Z$", var.budget_start_date))
    error_message = "budget_start_date must be empty or the first of a month at midnight UTC (YYYY-MM-01T00:00:00Z)."
  }
}

# --- CI -------------------------------------------------------------------------------------

variable "ci_oidc_issuer" {
  description = "OIDC issuer of the pipeline identities' GitHub credentials (GitHub Actions)."
  type        = string
  default     = "https://token.actions.githubusercontent.com"
}

variable "secrets_expire_on" {
  description = "Fixed expiry of every Key Vault secret (RFC 3339), or empty (default): 30 days after a yearly rotation point (keyvault.tf). Moving it rewrites every secret and the database password."
  type        = string
  default     = ""
}

variable "auth_jwt_secret_version" {
  description = "Bump to rotate the HS256 bearer-token secret (write-only: never stored in state)."
  type        = number
  default     = 1
}

# --- identities and pipelines (issue 20) ---

variable "ci_oidc_subjects" {
  description = <<-EOT
    Pipeline identities by CD stage (slot, production) and the subject each pipeline system's
    token carries: GitHub `repo:<org>/<repo>:environment:<name>`, Azure DevOps
    `sc://<organization>/<project>/<service connection>`. An identity exists only if listed.
  EOT
  type = map(object({
    github       = optional(string, "")
    azure_devops = optional(string, "")
  }))
  default = {}
  validation {
    condition     = alltrue([for identity in keys(var.ci_oidc_subjects) : contains(["slot", "production"], identity)])
    error_message = "ci_oidc_subjects keys are CD stages: slot or production."
  }
  validation {
    condition = alltrue([
      for s in values(var.ci_oidc_subjects) :
      (s.github == "" || can(regex("^repo:[^:]+:environment:[^:]+$", s.github))) &&
      (s.azure_devops == "" || can(regex("^sc://[^/]+/[^/]+/[^/]+$", s.azure_devops)))
    ])
    error_message = "GitHub subjects name an environment (repo:<org>/<repo>:environment:<name>); Azure DevOps subjects are sc://<organization>/<project>/<connection>."
  }
}

variable "ci_azure_devops_oidc_issuer" {
  description = "Issuer of the Azure DevOps credentials (https://vstoken.dev.azure.com/<organization id>, shown on the service connection); empty: none are created."
  type        = string
  default     = ""
}

variable "console_sku" {
  description = "Static Web Apps tier of the console (Standard, Free), or empty for none: dev and staging serve the console from the API (seed 004 \"Frontend\")."
  type        = string
  default     = ""
  validation {
    condition     = contains(["", "Free", "Standard"], var.console_sku)
    error_message = "console_sku must be Standard, Free or empty."
  }
}

variable "console_location" {
  description = "Region of the console's Static Web App (a Static Web Apps region: westeurope, eastus2, centralus, westus2, eastasia)."
  type        = string
  default     = "westeurope"
}

# --- network and runners (issue 20) -----------------------------------------------------------

variable "github_runners_enabled" {
  description = "GitHub-hosted runners with Azure private networking in their own subnet (runners.tf): the GitHub jobs that reach the database."
  type        = bool
  default     = false
}

variable "github_business_id" {
  description = "GitHub organization (or enterprise) databaseId for the runners' network settings: `gh api graphql -f query='{organization(login:\"ORG\"){databaseId}}'`."
  type        = string
  default     = ""
  validation {
    condition     = !var.github_runners_enabled || can(regex("^[0-9]+$", var.github_business_id))
    error_message = "github_business_id (a number) is required when github_runners_enabled is true."
  }
}

variable "devops_pool_enabled" {
  description = "An Azure DevOps Managed DevOps Pool in its own subnet (runners.tf): the Azure Pipelines jobs that reach the database."
  type        = bool
  default     = false
}

variable "devops_organization_url" {
  description = "Azure DevOps organization of the Managed DevOps Pool, e.g. https://dev.azure.com/azimuth."
  type        = string
  default     = ""
  validation {
    condition     = !var.devops_pool_enabled || can(regex("^https://dev\\.azure\\.com/[A-Za-z0-9-]+$", var.devops_organization_url))
    error_message = "devops_organization_url (https://dev.azure.com/ORG) is required when devops_pool_enabled is true."
  }
}

variable "devops_projects" {
  description = "Azure DevOps projects that may use the pool; empty: every project of the organization."
  type        = list(string)
  default     = []
}

variable "devops_infrastructure_principal_id" {
  description = "Object id of the tenant's DevOpsInfrastructure service principal (`az ad sp list --display-name DevOpsInfrastructure --query [].id -o tsv`); joins the pool's VMs to the VNet."
  type        = string
  default     = ""
  validation {
    condition     = !var.devops_pool_enabled || can(regex("^[0-9a-f-]{36}$", var.devops_infrastructure_principal_id))
    error_message = "devops_infrastructure_principal_id (an object id) is required when devops_pool_enabled is true."
  }
}

variable "storage_public_network_access_enabled" {
  description = "Public endpoint of the storage account: browsers fetch blobs through the SAS links the API issues (seed 001), so on in every environment; access still needs a SAS or an Entra token."
  type        = bool
  default     = true
}

variable "custom_domain_dns_zone_id" {
  description = "Azure DNS zone (same subscription) of custom_domain: Terraform writes its CNAME and TXT records and binds in one apply. Empty: the zone is elsewhere (see custom_domain_dns_ready)."
  type        = string
  default     = ""
}

variable "custom_domain_dns_ready" {
  description = "The records in CUSTOM_DOMAIN_DNS_RECORDS exist at the external DNS provider: bind custom_domain and issue its certificate (the second apply)."
  type        = bool
  default     = false
}

# --- drift, models and alerts (issue 20) ---

# Azure OpenAI models, per environment: openai.tf names the retirement table they were chosen
# from (read 2026-12-08); revisit before each one's new-customer window or retirement date.
variable "openai_chat_model" {
  description = "Model behind the chat deployment (the seed's gpt-4o role): name, version and deployment SKU."
  type        = object({ name = string, version = string, sku = string })
  default     = { name = "gpt-5.5", version = "2026-04-24", sku = "GlobalStandard" }
}

variable "openai_chat_mini_model" {
  description = "Model behind the small chat deployment (the seed's gpt-4o-mini role; AZURE_OPENAI_CHAT_DEPLOYMENT)."
  type        = object({ name = string, version = string, sku = string })
  default     = { name = "gpt-5.4-mini", version = "2026-03-17", sku = "GlobalStandard" }
}

variable "openai_transcribe_model" {
  description = "Model behind the transcription deployment (seed 002's Whisper role; AZURE_OPENAI_DEPLOYMENT_NAME)."
  type        = object({ name = string, version = string, sku = string })
  default     = { name = "gpt-4o-mini-transcribe", version = "2025-12-15", sku = "GlobalStandard" }
}

variable "key_vault_break_glass_object_ids" {
  description = "Entra ID object ids (the security team's users or group) granted Key Vault Administrator for break-glass access (seed 004); empty: none."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for id in var.key_vault_break_glass_object_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "key_vault_break_glass_object_ids must be Entra ID object ids (GUIDs)."
  }
}

# --- operations (issue 21) ---

variable "database_pool_size" {
  description = "Connections in each Azimuth process's PostgreSQL pool: DATABASE_POOL_SIZE as the app runs it (its default, 10, unless app_settings set it). The pool alerts measure use against it."
  type        = number
  default     = 10
}

variable "ws_connections_per_worker" {
  description = "WebSocket connections one API worker process is planned to hold (seed 004's 'worker capacity'); the WebSocket alert fires at 80 % of it."
  type        = number
  default     = 1000
}
