//! Enums whose variants each have one spelling on the wire, written as one table: the enum,
//! its `ALL` and its spellings come from the same rows, so a variant cannot miss from either.

/// Declares a fieldless enum from rows of `Variant = "spelling"`, with `ALL` (every variant, in
/// the rows' order), `name` and `from_name` (exact spelling).
macro_rules! spelled_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $spelling:literal,)+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            /// Every variant, in the table's order.
            pub const ALL: [$name; [$($spelling),+].len()] = [$($name::$variant),+];

            /// How clients spell it.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $spelling,)+
                }
            }

            /// The variant spelled exactly `name`.
            pub fn from_name(name: &str) -> Option<$name> {
                match name {
                    $($spelling => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// Every spelling, comma-separated, for error messages.
            pub fn all_names() -> String {
                Self::ALL.map(Self::name).join(", ")
            }
        }
    };
}

pub(crate) use spelled_enum;
