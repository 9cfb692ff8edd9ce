//! List and count (SPEC §3): paging by `skip` or by cursor, select, sort, query, and the
//! total `count`, choosing the cheapest reads the store offers for each shape of request.
//!
//! A cursor is the position of the last item shown, never an offset: the next page starts
//! right after it in the request's order, and whether a next page exists is decided by reading
//! one item past the page, never by comparing an offset with a count. It also carries the
//! count the first page worked out, so a walk counts once.
//!
//! A count that would examine more items than a request may ([`StoreError::TooBroad`]) is
//! answered on a list as the matches found by then, a lower bound, marked
//! `"countIsLowerBound": true` (the page itself is still served, or refused the same way); the
//! count route refuses it (400, saying how to narrow the query).

use super::error::{ApiError, RequestError};
use super::json;
use super::output::{CountBody, ListBody, Projected, Reply};
use super::request::ApiRequest;
use crate::auth::Principal;
use crate::model::Item;
use crate::model::ObjectId;
use crate::query::{
    cursor_binding, decode_cursor, encode_cursor, CursorKeys, Filter, Position, Total,
    MAX_SORTED_DEPTH,
};
use crate::store::{ItemQueries, Start, StoreError};

/// What a list body may hold.
pub(super) const LIST_BODY: &[&str] = &["select", "query", "sort", "skip", "limit", "cursor"];
/// What a count body may hold.
pub(super) const COUNT_BODY: &[&str] = &["query"];

/// A list's count: the one the cursor carries, else counted (a lower bound past the read cap).
async fn total(
    store: &impl ItemQueries,
    project: ObjectId,
    filter: &Filter,
    carried: Option<Total>,
) -> Result<Total, StoreError> {
    if let Some(total) = carried {
        return Ok(total);
    }
    match store.count(project, filter).await {
        Ok(count) => Ok(Total::exact(count)),
        Err(StoreError::TooBroad { matched, .. }) => Ok(Total {
            count: matched,
            at_least: true,
        }),
        Err(error) => Err(error),
    }
}

pub async fn list(
    store: &impl ItemQueries,
    cursor_keys: &CursorKeys,
    who: &Principal,
    request: &ApiRequest,
) -> Result<Reply, ApiError> {
    let body = json::body_object(request, LIST_BODY)?;
    let paging = json::paging(
        request.query_param("skip"),
        request.query_param("limit"),
        body.get("skip"),
        body.get("limit"),
    )?;
    let select = json::select(body.get("select"))?;
    let sort = json::sort(body.get("sort"))?;
    let filter = json::filter(body.get("query"))?;
    let binding = cursor_binding(
        who.project,
        body.get("query").map(|query| query.to_string()).as_deref(),
        body.get("sort").map(|sort| sort.to_string()).as_deref(),
    );
    let position = match json::cursor_text(request, &body)? {
        None => None,
        Some(_) if request.query_param("skip").is_some() || body.contains_key("skip") => {
            return Err(RequestError::SkipAndCursor.into());
        }
        Some(cursor) => Some(decode_cursor(cursor_keys, who.project, &binding, cursor)?),
    };
    let skip = position.as_ref().map_or(paging.skip, |p| p.offset);
    let carried = position.as_ref().and_then(|p| p.total);
    // One item past the page says whether another page follows.
    let wanted = paging.limit as usize + 1;

    let (total, mut items): (Total, Vec<Item>) = match filter.for_project(who.project) {
        // No item of this project can match.
        None => (Total::exact(0), Vec::new()),
        Some(filter) => match sort.key_order() {
            Some(direction) => {
                let start = match &position {
                    Some(position) => Start::After(position.after.id),
                    None => Start::Skip(skip),
                };
                tokio::try_join!(
                    total(store, who.project, &filter, carried),
                    store.page(who.project, &filter, direction, start, wanted as u32),
                )?
            }
            None => {
                // Sorted here: only a window of the first matches is held (SPEC §8).
                let after = position.as_ref().map(|position| &position.after);
                let skipped = if after.is_some() { 0 } else { skip };
                // `skip` + `limit` up to the depth, as the refusal says (the window holds
                // one item more, which tells whether a next page follows).
                if skipped + u64::from(paging.limit) > MAX_SORTED_DEPTH {
                    return Err(RequestError::SortedTooDeep.into());
                }
                let keep = skipped as usize + wanted;
                let (count, window) = store
                    .sorted_window(who.project, &filter, &sort, after, keep)
                    .await?;
                let total = carried.unwrap_or(Total::exact(count));
                (total, window.into_iter().skip(skipped as usize).collect())
            }
        },
    };

    let more = items.len() > paging.limit as usize;
    items.truncate(paging.limit as usize);
    let next_cursor = more.then(|| items.last()).flatten().map(|last| {
        encode_cursor(
            cursor_keys,
            who.project,
            &binding,
            &Position {
                offset: skip + items.len() as u64,
                total: Some(total),
                after: sort.mark_of(last),
            },
        )
    });
    let body = ListBody {
        count: total.count,
        count_is_lower_bound: total.at_least,
        limit: paging.limit,
        skip,
        data: items
            .iter()
            .map(|item| Projected::new(&select, item))
            .collect(),
        next_cursor,
    };
    Ok(Reply::json(&body, None))
}

pub async fn count(
    store: &impl ItemQueries,
    who: &Principal,
    request: &ApiRequest,
) -> Result<Reply, ApiError> {
    let body = json::body_object(request, COUNT_BODY)?;
    let filter = json::filter(body.get("query"))?;
    let count = match filter.for_project(who.project) {
        None => 0,
        Some(filter) => store.count(who.project, &filter).await?,
    };
    Ok(Reply::json(&CountBody { count }, None))
}
