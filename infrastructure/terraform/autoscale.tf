# Autoscale of the API plan in production (seed 004 "Auto-Scale Rules", seed 000 memory and
# request-queue-length signals): 2-6 instances; out when any rule fires, in only when every
# scale-in rule agrees; 5-minute cooldowns. The plan ignores its worker_count (app_service.tf):
# the instance count is autoscale's to change, not a plan diff.
#
# How a trigger reads (Azure Monitor autoscale MetricTrigger): time_grain is the granularity of
# the metric, `statistic` combines the instances' values within one grain, `time_aggregation`
# combines the grains over `time_window`, and divide_by_instance_count divides the result by
# the current instance count. So the request rules take the API app's Requests per minute
# (PT1M), summed over instances (Sum), averaged over 10 minutes (Average, not Total: a Total
# over PT10M is requests per ten minutes, which made "500" fire at 50 per minute), divided by
# the instance count: requests per minute per instance, the seed's unit.

locals {
  # resource: "plan" reads Microsoft.Web/serverfarms metrics, "app" the API app's Microsoft.Web/sites.
  autoscale_rules = [
    { metric = "CpuPercentage", resource = "plan", statistic = "Average", aggregation = "Average", per_instance = false, operator = "GreaterThan", threshold = 70, direction = "Increase" },
    { metric = "CpuPercentage", resource = "plan", statistic = "Average", aggregation = "Average", per_instance = false, operator = "LessThan", threshold = 30, direction = "Decrease" },
    { metric = "Requests", resource = "app", statistic = "Sum", aggregation = "Average", per_instance = true, operator = "GreaterThan", threshold = 500, direction = "Increase" },
    { metric = "Requests", resource = "app", statistic = "Sum", aggregation = "Average", per_instance = true, operator = "LessThan", threshold = 100, direction = "Decrease" },
    # Seed 000: memory as a scale signal. Out above 80 % (below the 85 % alert), in below 50 %.
    { metric = "MemoryPercentage", resource = "plan", statistic = "Average", aggregation = "Average", per_instance = false, operator = "GreaterThan", threshold = 80, direction = "Increase" },
    { metric = "MemoryPercentage", resource = "plan", statistic = "Average", aggregation = "Average", per_instance = false, operator = "LessThan", threshold = 50, direction = "Decrease" },
    # Seed 000: request queue length. HttpQueueLength is the plan's average number of requests
    # waiting in the front-end queue; a healthy Node API keeps it near 0. Out above 100 queued
    # (Azure's own autoscale example figure), in only once it is below 10.
    { metric = "HttpQueueLength", resource = "plan", statistic = "Average", aggregation = "Average", per_instance = false, operator = "GreaterThan", threshold = 100, direction = "Increase" },
    { metric = "HttpQueueLength", resource = "plan", statistic = "Average", aggregation = "Average", per_instance = false, operator = "LessThan", threshold = 10, direction = "Decrease" },
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
          metric_namespace         = rule.value.resource == "app" ? "microsoft.web/sites" : null
          metric_resource_id       = rule.value.resource == "app" ? azurerm_linux_web_app.api.id : azurerm_service_plan.api.id
          time_grain               = "PT1M"
          statistic                = rule.value.statistic
          time_window              = "PT10M"
          time_aggregation         = rule.value.aggregation
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
