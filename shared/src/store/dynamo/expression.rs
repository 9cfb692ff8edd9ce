//! The part of a query DynamoDB evaluates exactly, as a `FilterExpression` with `#name` and
//! `:value` placeholders only: no text built from input ever reaches the expression.
//!
//! Pushing down is an optimisation: the function still applies the whole filter to what comes
//! back, so a condition left out here is only evaluated later, never lost. Key attributes
//! (`projectId`, `_id`) cannot appear in a query's filter and stay in the function; so do the
//! case-insensitive text operators, which DynamoDB cannot evaluate.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::attributes::field_attribute;
use crate::model::Field;
use crate::query::{Comparison, Condition, Filter, Operator, Scalar};

/// DynamoDB's limit on the operands of one `IN`.
const MAX_IN_OPERANDS: usize = 100;

/// DynamoDB's limit on the text of one expression (the real service, and the
/// local engine, refuse a longer one with a `ValidationException`).
pub const MAX_EXPRESSION_BYTES: usize = 4096;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Expression {
    pub text: String,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

fn scalar_attribute(scalar: &Scalar) -> AttributeValue {
    field_attribute(scalar.value()).unwrap_or(AttributeValue::Null(true))
}

struct Builder {
    expression: Expression,
    parts: Vec<String>,
}

impl Builder {
    /// Whether the expression with `part` AND-ed on is still within DynamoDB's limit.
    fn fits(&self, part: &str) -> bool {
        let joined: usize = self.parts.iter().map(|p| p.len() + " AND ".len()).sum();
        joined + part.len() <= MAX_EXPRESSION_BYTES
    }

    fn name(&mut self, field: Field) -> String {
        let placeholder = format!("#f{}", field as usize);
        self.expression
            .names
            .insert(placeholder.clone(), field.name().to_string());
        placeholder
    }

    fn value(&mut self, scalar: &Scalar) -> String {
        let placeholder = format!(":v{}", self.expression.values.len());
        self.expression
            .values
            .insert(placeholder.clone(), scalar_attribute(scalar));
        placeholder
    }

    fn values(&mut self, scalars: &[Scalar]) -> String {
        scalars
            .iter()
            .map(|scalar| self.value(scalar))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn condition(&mut self, field: Field, operator: &Operator) -> Option<String> {
        let f = self.name(field);
        Some(match operator {
            Operator::EqualTo(value) => format!("{f} = {}", self.value(value)),
            Operator::NotEqual(value) => {
                format!("(attribute_exists({f}) AND {f} <> {})", self.value(value))
            }
            Operator::EqualToOrNull(value) => {
                format!("(attribute_not_exists({f}) OR {f} = {})", self.value(value))
            }
            Operator::IsNull => format!("attribute_not_exists({f})"),
            Operator::NotNull => format!("attribute_exists({f})"),
            Operator::Compare {
                comparison,
                value,
                or_null,
            } => {
                let symbol = match comparison {
                    Comparison::GreaterThan => ">",
                    Comparison::GreaterThanOrEqual => ">=",
                    Comparison::LessThan => "<",
                    Comparison::LessThanOrEqual => "<=",
                };
                let test = format!("{f} {symbol} {}", self.value(value));
                if *or_null {
                    format!("(attribute_not_exists({f}) OR {test})")
                } else {
                    test
                }
            }
            // Not BETWEEN: DynamoDB rejects BETWEEN with its bounds reversed; this matches nothing.
            Operator::InBetween(start, end) => {
                format!(
                    "({f} >= {} AND {f} <= {})",
                    self.value(start),
                    self.value(end)
                )
            }
            Operator::Includes(values) if !values.is_empty() && values.len() <= MAX_IN_OPERANDS => {
                format!("{f} IN ({})", self.values(values))
            }
            Operator::IncludesNone(values) if values.is_empty() => format!("attribute_exists({f})"),
            Operator::IncludesNone(values) if values.len() <= MAX_IN_OPERANDS => {
                format!(
                    "(attribute_exists({f}) AND NOT ({f} IN ({})))",
                    self.values(values)
                )
            }
            _ => return None,
        })
    }
}

/// A query split in two: what DynamoDB evaluates (`expression`) and what the function must
/// still evaluate on what comes back (`residual`). Together they mean exactly the filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pushdown {
    pub expression: Option<Expression>,
    pub residual: Filter,
}

/// Splits `filter`: every condition DynamoDB evaluates exactly goes into one AND-ed
/// expression, as long as the expression stays within [`MAX_EXPRESSION_BYTES`]; the rest (text
/// operators, key attributes, very long lists, and whatever does not fit) stay residual.
pub fn pushdown(filter: &Filter) -> Pushdown {
    let mut builder = Builder {
        expression: Expression::default(),
        parts: Vec::new(),
    };
    let mut residual = Filter::default();
    for condition in &filter.conditions {
        let pushed = match condition {
            Condition::Field { field, operator }
                if !matches!(field, Field::Id | Field::ProjectId) =>
            {
                // Build into a scratch copy so an operator that cannot be pushed leaves no placeholders.
                let before = builder.expression.clone();
                match builder.condition(*field, operator) {
                    Some(part) if builder.fits(&part) => {
                        builder.parts.push(part);
                        true
                    }
                    _ => {
                        builder.expression = before;
                        false
                    }
                }
            }
            _ => false,
        };
        if !pushed {
            residual.conditions.push(condition.clone());
        }
    }
    let expression = (!builder.parts.is_empty()).then(|| {
        builder.expression.text = builder.parts.join(" AND ");
        builder.expression
    });
    Pushdown {
        expression,
        residual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ObjectId;
    use crate::query::TextMatch;

    fn on(field: Field, operator: Operator) -> Condition {
        Condition::Field { field, operator }
    }

    fn text(value: &str) -> Scalar {
        Scalar::Text(value.to_string())
    }

    fn id() -> Scalar {
        Scalar::Id(ObjectId::parse("550e8400-e29b-41d4-a716-446655440000").unwrap())
    }

    fn pushed(conditions: Vec<Condition>) -> Option<Expression> {
        pushdown(&Filter { conditions }).expression
    }

    #[test]
    fn what_is_not_pushed_stays_residual() {
        let filter = Filter {
            conditions: vec![
                on(
                    Field::Status,
                    Operator::Text(TextMatch::Contains, "x".into()),
                ),
                on(Field::IsAnswered, Operator::EqualTo(Scalar::Boolean(true))),
                on(Field::Id, Operator::EqualTo(id())),
            ],
        };
        let split = pushdown(&filter);
        assert_eq!(split.expression.unwrap().text, "#f15 = :v0");
        assert_eq!(split.residual.conditions.len(), 2);
    }

    #[test]
    fn values_only_ever_reach_the_expression_as_placeholders() {
        let hostile = "x') OR attribute_exists(#a";
        let expression = pushed(vec![on(Field::Status, Operator::EqualTo(text(hostile)))]).unwrap();
        assert_eq!(expression.text, "#f9 = :v0");
        assert_eq!(expression.names["#f9"], "status");
        assert_eq!(expression.values[":v0"], AttributeValue::S(hostile.into()));
    }

    #[test]
    fn text_operators_and_key_fields_stay_in_the_function() {
        assert_eq!(
            pushed(vec![on(
                Field::Status,
                Operator::Text(TextMatch::Contains, "x".into())
            )]),
            None
        );
        assert_eq!(
            pushed(vec![on(Field::ProjectId, Operator::EqualTo(id()))]),
            None
        );
        assert_eq!(pushed(vec![on(Field::Id, Operator::EqualTo(id()))]), None);
    }

    #[test]
    fn conditions_that_would_pass_4_kb_stay_in_the_function() {
        let values = |prefix: &str| (0..100).map(|n| text(&format!("{prefix}{n}"))).collect();
        let fields = [
            Field::Status,
            Field::StatusMessage,
            Field::UserPhoneNumber,
            Field::IncomingCallPolicyEscalationRuleId,
            Field::UserId,
            Field::DialDurationInSeconds,
        ];
        let filter = Filter {
            conditions: fields
                .iter()
                .map(|field| on(*field, Operator::Includes(values("v"))))
                .collect(),
        };
        let split = pushdown(&filter);
        let expression = split.expression.unwrap();
        assert!(
            expression.text.len() <= MAX_EXPRESSION_BYTES,
            "{}",
            expression.text.len()
        );
        assert!(!split.residual.conditions.is_empty());
        let pushed = expression.text.matches(" IN (").count();
        assert_eq!(pushed + split.residual.conditions.len(), fields.len());
        // No placeholder of a condition left out is in the expression.
        assert_eq!(expression.values.len(), pushed * 100);
    }

    #[test]
    fn conditions_are_anded() {
        let expression = pushed(vec![
            on(
                Field::Status,
                Operator::Includes(vec![text("a"), text("b")]),
            ),
            on(Field::IsAnswered, Operator::EqualTo(Scalar::Boolean(true))),
            on(Field::UserId, Operator::IsNull),
        ])
        .unwrap();
        assert_eq!(
            expression.text,
            "#f9 IN (:v0, :v1) AND #f15 = :v2 AND attribute_not_exists(#f7)"
        );
    }
}
