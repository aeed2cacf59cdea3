# Provider configuration, remote state, the resource group and the names and tags every other
# file uses. Terraform and azurerm are pinned to a major deliberately (see infrastructure/README.md).

terraform {
  # 1.11 is the first release with write-only arguments (administrator_password_wo, value_wo),
  # which keep the database password and the Redis URL out of the state file.
  required_version = "~> 1.11"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 5.2"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
    # Key Vault secrets through ARM with write-only bodies (`sensitive_body_version`: 2.5+) and
    # the GitHub runners' network settings, which azurerm has no resource for.
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.5"
    }
    # rfc3339_parse (a provider function, 0.11+) turns the secrets' expiry into ARM's Unix time.
    time = {
      source  = "hashicorp/time"
      version = "~> 0.13"
    }
  }

  # Azure Storage backend with blob-lease locking; values come from backend.hcl
  # (`terraform init -backend-config=backend.hcl`) or azd's RS_* environment values.
  backend "azurerm" {}
}

provider "azurerm" {
  # azurerm 5 registers no resource providers by default: name exactly the ones used here.
  resource_provider_registrations = "none"
  resource_providers_to_register = [
    "Microsoft.Web",
    "Microsoft.DBforPostgreSQL",
    "Microsoft.Cache",
    "Microsoft.KeyVault",
    "Microsoft.CognitiveServices",
    "Microsoft.Network",
    "Microsoft.Storage",
    "Microsoft.Insights",
    "Microsoft.OperationalInsights",
    "Microsoft.AlertsManagement",
    "Microsoft.Consumption",
    "Microsoft.EventGrid",
    "Microsoft.ManagedIdentity",
    # The migration runners inside the VNet (runners.tf).
    "GitHub.Network",
    "Microsoft.DevCenter",
    "Microsoft.DevOpsInfrastructure",
  ]

  # Shared-key access is off in production: data-plane calls use Entra ID.
  storage_use_azuread = true

  features {
    # Terraform runs outside the VNet and never touches a data plane: the storage account is read
    # and written through ARM only (containers, queue and lifecycle policy use storage_account_id).
    storage {
      data_plane_available = false
    }
    key_vault {
      # Purge protection makes purging impossible anyway; never try on destroy.
      purge_soft_delete_on_destroy    = false
      recover_soft_deleted_key_vaults = true
    }
    resource_group {
      prevent_deletion_if_contains_resources = true
    }
  }
}

data "azurerm_client_config" "current" {}

resource "random_string" "suffix" {
  length  = 5
  lower   = true
  numeric = true
  upper   = false
  special = false
}

locals {
  name    = "azimuth-${var.environment_name}"
  compact = substr(replace(lower("azimuth${var.environment_name}"), "/[^a-z0-9]/", ""), 0, 16)
  suffix  = random_string.suffix.result
  is_prod = var.environment == "prod"

  tags = merge(var.tags, {
    application    = "azimuth"
    environment    = var.environment
    "azd-env-name" = var.environment_name
    "managed-by"   = "terraform"
  })
}

resource "azurerm_resource_group" "main" {
  name     = "rg-${local.name}"
  location = var.location
  tags     = local.tags
}
