import type { Knex } from '@ticketping/db';

/**
 * A per-person limit per performance, enforced by the database: `fan_seats` counts the seats each
 * fan holds in live orders (PENDING_PAYMENT, CONFIRMED) of a performance, over all its schedules,
 * and its check constraint refuses a count above the limit. The count moves in the same
 * statements as the orders, by trigger, so no path that writes orders can skip it:
 * - inserting an order's seats adds them (an upsert: a second hold by the same fan waits for the
 *   first to commit, then adds to the committed count, so parallel holds cannot both slip under);
 * - an order leaving the live states (cancelled, expired, refunded) gives its seats back.
 * The limit is stamped on the row at every hold, so lowering it never fails a release.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- Catalog's maxSeatsPerPerson; null means max_seats_per_order.
    alter table performances add column max_seats_per_person integer check (max_seats_per_person > 0);

    create table fan_seats (
      user_id text not null,
      performance_id uuid not null,
      held integer not null check (held >= 0),
      seat_limit integer not null,
      primary key (user_id, performance_id),
      constraint fan_seats_within_limit check (held <= seat_limit)
    );

    create function count_fan_seats_held() returns trigger language plpgsql as $$
    begin
      insert into fan_seats (user_id, performance_id, held, seat_limit)
      select o.user_id, o.performance_id, count(*), coalesce(p.max_seats_per_person, p.max_seats_per_order)
        from added a
        join orders o on o.id = a.order_id
        join performances p on p.performance_id = o.performance_id
       group by o.user_id, o.performance_id, p.max_seats_per_person, p.max_seats_per_order
      on conflict (user_id, performance_id) do update
        set held = fan_seats.held + excluded.held, seat_limit = excluded.seat_limit;
      return null;
    end $$;
    create trigger order_seats_count_per_fan after insert on order_seats
      referencing new table as added for each statement execute function count_fan_seats_held();

    create function release_fan_seats() returns trigger language plpgsql as $$
    begin
      if old.status in ('PENDING_PAYMENT', 'CONFIRMED') and new.status not in ('PENDING_PAYMENT', 'CONFIRMED') then
        update fan_seats
           set held = held - (select count(*) from order_seats where order_id = new.id)
         where user_id = new.user_id and performance_id = new.performance_id;
      end if;
      return null;
    end $$;
    create trigger orders_release_fan_seats after update of status on orders
      for each row execute function release_fan_seats();

    -- Orders live before this migration count from now on.
    insert into fan_seats (user_id, performance_id, held, seat_limit)
    select o.user_id, o.performance_id, count(*), greatest(count(*), max(coalesce(p.max_seats_per_person, p.max_seats_per_order)))
      from orders o
      join order_seats s on s.order_id = o.id
      join performances p on p.performance_id = o.performance_id
     where o.status in ('PENDING_PAYMENT', 'CONFIRMED')
     group by o.user_id, o.performance_id;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger orders_release_fan_seats on orders;
    drop function release_fan_seats();
    drop trigger order_seats_count_per_fan on order_seats;
    drop function count_fan_seats_held();
    drop table fan_seats;
    alter table performances drop column max_seats_per_person;
  `);
}
