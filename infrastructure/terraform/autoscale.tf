# Autoscale of the API plan in production (seed 004 "Auto-Scale Rules" + seed 000 memory):
# 2-6 instances; out when any rule fires, in only when every scale-in rule agrees; 5-minute
# cooldowns. Requests are counted on the API app and divided by the instance count.

locals {
  # per_instance: the metric is the API app's request count per instance per minute.
  autoscale_rules = [
    { metric = "CpuPercentage", per_instance = false, operator = "GreaterThan", threshold = 70, direction = "Increase" },
    { metric = "CpuPercentage", per_instance = false, operator = "LessThan", threshold = 30, direction = "Decrease" },
    { metric = "Requests", per_instance = true, operator = "GreaterThan", threshold = 500, direction = "Increase" },
    { metric = "Requests", per_instance = true, operator = "LessThan", threshold = 100, direction = "Decrease" },
    # Seed 000: memory as a scale signal. Out above 80 % (below the 85 % alert), in below 50 %.
    { metric = "MemoryPercentage", per_instance = false, operator = "GreaterThan", threshold = 80, direction = "Increase" },
    { metric = "MemoryPercentage", per_instance = false, operator = "LessThan", threshold = 50, direction = "Decrease" },
  ]
}

resource "azurerm_monitor_autoscale_setting" "api" {
  count               = var.autoscale_enabled ? 1 : 0
  name                = "autoscale-${local.name}-api"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  target_resource_id  = azurerm_service_plan.api.id
  tags                = local.tags

  profile {
    name = "default"

    capacity {
      default = var.autoscale_min_instances
      minimum = var.autoscale_min_instances
      maximum = var.autoscale_max_instances
    }

    dynamic "rule" {
      for_each = local.autoscale_rules
      content {
        metric_trigger {
          metric_name              = rule.value.metric
          metric_namespace         = rule.value.per_instance ? "microsoft.web/sites" : null
          metric_resource_id       = rule.value.per_instance ? azurerm_linux_web_app.api.id : azurerm_service_plan.api.id
          time_grain               = "PT1M"
          statistic                = "Average"
          time_window              = "PT10M"
          time_aggregation         = rule.value.per_instance ? "Total" : "Average"
          operator                 = rule.value.operator
          threshold                = rule.value.threshold
          divide_by_instance_count = rule.value.per_instance
        }
        scale_action {
          direction = rule.value.direction
          type      = "ChangeCount"
          value     = 1
          cooldown  = "PT5M"
        }
      }
    }
  }

  notification {
    email {
      custom_emails = var.alert_email_addresses
    }
  }
}
